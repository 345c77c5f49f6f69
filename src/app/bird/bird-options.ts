import { LivecallError } from '../../errors/index.js'

/**
 * A Bird request that does not validate: 400 naming the field, by its path in the
 * request body (`callFlow[1].options.media`). Bird's schemas set
 * `additionalProperties: false` everywhere, so an unknown property is refused too.
 */
export class BirdFieldError extends LivecallError {
  constructor(readonly field: string, message: string) {
    super('LIVECALL_ERR_BAD_REQUEST', `${field}: ${message}`)
    this.name = 'BirdFieldError'
  }
}

export function birdInvalid(field: string, message: string): BirdFieldError {
  return new BirdFieldError(field, message)
}

/** The options object of a command: `{}` when absent or null (Bird: `options` is nullable). */
export function optionsOf(raw: unknown, field: string): Record<string, unknown> {
  if (raw === undefined || raw === null) return {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw birdInvalid(field, 'must be an object')
  return raw as Record<string, unknown>
}

export function onlyKeys(data: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(data)) {
    if (!allowed.includes(key)) throw birdInvalid(`${field}.${key}`, `is not a property livecall knows here (allowed: ${allowed.join(', ') || 'none'})`)
  }
}

export function str(data: Record<string, unknown>, key: string, field: string): string | undefined {
  const v = data[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw birdInvalid(`${field}.${key}`, `must be a string, got ${JSON.stringify(v)}`)
  return v
}

export function int(data: Record<string, unknown>, key: string, field: string, min: number, max: number): number | undefined {
  const v = data[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw birdInvalid(`${field}.${key}`, `must be an integer ${min}–${max}, got ${JSON.stringify(v)}`)
  }
  return v
}

export function bool(data: Record<string, unknown>, key: string, field: string): boolean | undefined {
  const v = data[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw birdInvalid(`${field}.${key}`, `must be a boolean, got ${JSON.stringify(v)}`)
  return v
}

/** Bird's `Key` enum: one DTMF key. */
export function key(data: Record<string, unknown>, name: string, field: string): string | undefined {
  const v = str(data, name, field)
  if (v !== undefined && !/^[0-9*#]$/.test(v)) throw birdInvalid(`${field}.${name}`, `must be one of 0-9 * #, got ${JSON.stringify(v)}`)
  return v
}
