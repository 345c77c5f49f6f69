/**
 * @signalwire/compatibility-api ships typings its package.json "exports" do not expose to
 * NodeNext resolution; its RestClient is twilio-node's client (v3 API) with SignalWire's
 * host. Only what the tests use is typed.
 */
declare module '@signalwire/compatibility-api' {
  interface CallResource {
    sid: string
    status: string
    uri: string
    direction: string
    [key: string]: unknown
  }
  interface CallContext {
    fetch(): Promise<CallResource>
    update(params: Record<string, unknown>): Promise<CallResource>
  }
  interface Calls {
    (sid: string): CallContext
    create(params: Record<string, unknown>): Promise<CallResource>
    list(params?: Record<string, unknown>): Promise<CallResource[]>
  }
  export interface CompatibilityApi {
    calls: Calls
    api: { baseUrl: string }
  }
  export function RestClient(project: string, token: string, opts?: { signalwireSpaceUrl?: string }): CompatibilityApi
}
