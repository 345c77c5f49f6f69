/** The parts of @jambonz/node-client (which ships no types) the tests use. */
declare module '@jambonz/node-client' {
  interface JambonzCalls {
    create(opts: Record<string, unknown>): Promise<string>
    update(sid: string, opts: Record<string, unknown>): Promise<void>
    list(opts?: Record<string, unknown>): Promise<Array<Record<string, unknown>>>
    retrieve(sid: string): Promise<Record<string, unknown>>
    delete(sid: string): Promise<void>
  }
  interface JambonzClient {
    calls: JambonzCalls
  }
  type Middleware = (req: unknown, res: unknown, next: (err?: unknown) => void) => void
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the value is reached through Initializer.WebhookResponse
  class WebhookResponse {
    constructor()
    say(opts: object): this
    play(opts: object): this
    pause(opts: object): this
    tag(opts: object): this
    gather(opts: object): this
    dial(opts: object): this
    hangup(opts?: object): this
    toJSON(): unknown
    static verifyJambonzSignature(secret: string): Middleware
  }
  interface Initializer {
    (accountSid: string, apiKey: string, opts: { baseUrl: string }): JambonzClient
    WebhookResponse: typeof WebhookResponse
  }
  const jambonz: Initializer
  export default jambonz
}
