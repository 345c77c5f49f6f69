import type { Logger } from 'pino'
import { isCoded } from '../../errors/index.js'
import { parseDocument } from '../document/parse-document.js'
import type { VerbStep } from '../verbs/verb.js'
import { BIRD_COMMANDS } from './bird-commands.js'
import { birdInvalid, onlyKeys, optionsOf } from './bird-options.js'
import { ringing } from './ringing-verb.js'

/** Bird's PatchCall schema: `callFlow` has at most 20 commands. */
const MAX_COMMANDS = 20

/**
 * A Bird `callFlow` (an array of `{ command, options, conditions }`) → the native verbs
 * to run, every command translated and validated by the native verbs' own `parse`
 * (parseDocument) before anything runs: an unknown command or a bad option refuses the
 * whole flow (400 naming `callFlow[i]…`), so a flow is never half-run (SPEC §4).
 */
export function parseCallFlow(raw: unknown, opts: { callSid: string; logger: Logger }): VerbStep[] {
  if (!Array.isArray(raw)) throw birdInvalid('callFlow', 'must be an array of commands')
  if (raw.length === 0) throw birdInvalid('callFlow', 'needs at least one command')
  if (raw.length > MAX_COMMANDS) throw birdInvalid('callFlow', `has ${raw.length} commands; at most ${MAX_COMMANDS}`)
  const stamp = Date.now()
  return raw.flatMap((entry, i) => commandSteps(entry, `callFlow[${i}]`, { recordingPath: `bird/${opts.callSid}-${stamp}-${i}.wav` }, opts.logger))
}

function commandSteps(entry: unknown, f: string, ctx: { recordingPath: string }, logger: Logger): VerbStep[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw birdInvalid(f, 'must be an object { command, options }')
  const cmd = entry as Record<string, unknown>
  onlyKeys(cmd, ['command', 'options', 'conditions'], f)
  const name = cmd.command
  const translate = typeof name === 'string' && Object.hasOwn(BIRD_COMMANDS, name) ? BIRD_COMMANDS[name] : undefined
  if (!translate) throw birdInvalid(`${f}.command`, `unknown command ${JSON.stringify(name)} (known: ${Object.keys(BIRD_COMMANDS).join(', ')})`)
  if (cmd.conditions !== undefined && cmd.conditions !== null && !(Array.isArray(cmd.conditions) && cmd.conditions.length === 0)) {
    throw birdInvalid(`${f}.conditions`, 'conditions are not supported by livecall')
  }
  const translated = translate(optionsOf(cmd.options, `${f}.options`), `${f}.options`, ctx)
  if (translated.kind === 'ringing') return [{ name: ringing.name, opts: ringing.parse({}), definition: ringing as VerbStep['definition'] }]
  try {
    return parseDocument(translated.verbs, logger)
  } catch (err) {
    throw birdInvalid(`${f} (${name})`, isCoded(err) ? err.message : String(err))
  }
}
