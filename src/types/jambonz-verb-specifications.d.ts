declare module '@jambonz/verb-specifications' {
  interface LoggerLike {
    info(...args: unknown[]): void
  }
  /** `[{verb:'say',…}]` or `[{say:{…}}]` → `[{say:{…}}]`; throws on a malformed document */
  export function normalizeJambones(logger: LoggerLike, doc: unknown): Array<Record<string, Record<string, unknown>>>
  /** throws an Error naming the problem */
  export function validate(logger: LoggerLike, doc: unknown): void
  export function validateVerb(name: string, data: unknown, logger: LoggerLike): void
  export const specs: Record<string, { properties: Record<string, unknown>; required?: string[] }>
  const _default: { normalizeJambones: typeof normalizeJambones; validate: typeof validate; validateVerb: typeof validateVerb; specs: typeof specs }
  export default _default
}
