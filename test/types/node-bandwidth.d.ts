/** The part of node-bandwidth (Bandwidth v1 / Catapult client, CommonJS, untyped) the e2e tests use. */
declare module 'node-bandwidth' {
  interface BandwidthOptions {
    userId: string
    apiToken: string
    apiSecret: string
    baseUrl?: string
  }
  interface CallApi {
    create(params: Record<string, unknown>): Promise<Record<string, unknown> & { id: string }>
    get(callId: string): Promise<Record<string, any>>
    update(callId: string, params: Record<string, unknown>): Promise<void>
    answer(callId: string): Promise<void>
    reject(callId: string): Promise<void>
    hangup(callId: string): Promise<void>
    enableRecording(callId: string): Promise<void>
    disableRecording(callId: string): Promise<void>
    transfer(callId: string, params: Record<string, unknown>): Promise<{ id: string }>
  }
  class Bandwidth {
    constructor(opts: BandwidthOptions)
    Call: CallApi
  }
  export default Bandwidth
}
