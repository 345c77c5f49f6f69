import { birdInvalid, bool, int, key, onlyKeys, str } from './bird-options.js'

/** A jambonz verb object (`{ verb: 'say', … }`), checked later by parseDocument. */
export type JambonzVerb = { verb: string } & Record<string, unknown>

/** What one Bird command becomes: jambonz verbs, or Bird's `ringing` (no jambonz verb). */
export type Translated = { kind: 'verbs'; verbs: JambonzVerb[] } | { kind: 'ringing' }

export interface CommandContext {
  /** where a `record` command's file goes, relative to RECORDINGS_DIR */
  recordingPath: string
}

type Translator = (options: Record<string, unknown>, field: string, ctx: CommandContext) => Translated

const verbs = (...v: JambonzVerb[]): Translated => ({ kind: 'verbs', verbs: v })

/**
 * Bird's callFlow commands (docs.bird.com, Voice calls API: CallFlowCommand) onto the
 * native verbs. Each reads only the properties of its Bird schema (an unknown one is a
 * 400); what livecall cannot do is refused, what has no effect here is accepted and
 * ignored (docs/dialects/bird.md lists both).
 */
export const BIRD_COMMANDS: Readonly<Record<string, Translator>> = {
  answer: (o, f) => (onlyKeys(o, [], f), verbs({ verb: 'answer' })),
  hangup: (o, f) => (onlyKeys(o, [], f), verbs({ verb: 'hangup' })),
  ringing: (o, f) => (onlyKeys(o, [], f), { kind: 'ringing' }),
  pause: (o, f) => {
    onlyKeys(o, ['length'], f)
    const v = o.length
    if (typeof v !== 'number' || !Number.isFinite(v)) throw birdInvalid(`${f}.length`, `must be a number of seconds, got ${JSON.stringify(v)}`)
    return verbs({ verb: 'pause', length: v })
  },
  playback: (o, f) => verbs(...playback(o, f)),
  say: (o, f) => verbs(sayVerb(o, f)),
  gather: (o, f) => verbs(gatherVerb(o, f)),
  record: (o, f, ctx) => verbs(...recordVerbs(o, f, ctx)),
  bridge: (o, f, ctx) => verbs(...bridgeVerbs(o, f, ctx)),
}

/** Bird Play: `media` (a URL or a list), `loop`, `pauseMilliseconds` between the files; `timeout` ignored. */
function playback(o: Record<string, unknown>, f: string): JambonzVerb[] {
  onlyKeys(o, ['media', 'loop', 'timeout', 'pauseMilliseconds'], f)
  const media = typeof o.media === 'string' ? [o.media] : o.media
  if (!Array.isArray(media) || media.length === 0 || media.some((m) => typeof m !== 'string')) {
    throw birdInvalid(`${f}.media`, 'must be a URL or a non-empty list of URLs')
  }
  const loop = int(o, 'loop', f, 1, 100) ?? 1
  int(o, 'timeout', f, 0, 86_400)
  const gapMs = int(o, 'pauseMilliseconds', f, 0, 30_000) ?? 0
  if (gapMs === 0) return [{ verb: 'play', url: media.length === 1 ? media[0] : media, loop }]
  const out: JambonzVerb[] = []
  for (let i = 0; i < loop; i++) {
    for (const url of media) {
      if (out.length > 0) out.push({ verb: 'pause', length: gapMs / 1000 })
      out.push({ verb: 'play', url })
    }
  }
  return out
}

/** Bird Say: `text`, `locale` (BCP 47) and `voice` male/female → an eSpeak NG voice (`en-us+f3`); `loop`; `timeout` ignored. */
function sayVerb(o: Record<string, unknown>, f: string): JambonzVerb {
  onlyKeys(o, ['text', 'locale', 'voice', 'loop', 'timeout'], f)
  const text = str(o, 'text', f)
  if (!text?.trim()) throw birdInvalid(`${f}.text`, 'is required')
  const locale = str(o, 'locale', f)
  if (locale !== undefined && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,4})*$/i.test(locale)) throw birdInvalid(`${f}.locale`, `is not a BCP 47 locale: ${JSON.stringify(locale)}`)
  const voice = str(o, 'voice', f)
  if (voice !== undefined && voice !== 'male' && voice !== 'female') throw birdInvalid(`${f}.voice`, `must be male or female, got ${JSON.stringify(voice)}`)
  const loop = int(o, 'loop', f, 1, 100) ?? 1
  int(o, 'timeout', f, 0, 86_400)
  const say: JambonzVerb = { verb: 'say', text, loop }
  if (locale !== undefined || voice !== undefined) say.synthesizer = { vendor: 'default', voice: espeakVoice(locale ?? 'en-US', voice) }
  return say
}

/** `en-US` + female → `en-us+f3`: eSpeak NG names voices by lower-case language tag, variants after `+`. */
function espeakVoice(locale: string, voice: string | undefined): string {
  const lang = locale.split('-').slice(0, 2).join('-').toLowerCase()
  return voice === undefined ? lang : `${lang}+${voice === 'female' ? 'f3' : 'm3'}`
}

/**
 * Bird Gather: `maxNumKeys`, `endKey`, `timeout` (seconds), a nested `say` or `playback`
 * prompt; `input` dtmf only (no speech recognizer); `retries` and `speechLocale` ignored.
 * Bird has no actionHook: the keys end the gather and the flow goes on.
 */
function gatherVerb(o: Record<string, unknown>, f: string): JambonzVerb {
  onlyKeys(o, ['maxNumKeys', 'endKey', 'timeout', 'retries', 'input', 'speechLocale', 'playback', 'say'], f)
  const input = str(o, 'input', f)
  if (input !== undefined && input !== 'dtmf') throw birdInvalid(`${f}.input`, `livecall has no speech recognizer: only dtmf, got ${JSON.stringify(input)}`)
  const max = int(o, 'maxNumKeys', f, 0, 100)
  const endKey = key(o, 'endKey', f)
  const timeout = int(o, 'timeout', f, 0, 3600)
  int(o, 'retries', f, 0, 10)
  str(o, 'speechLocale', f)
  const g: JambonzVerb = { verb: 'gather', input: ['digits'] }
  if (max) g.maxDigits = max
  if (endKey !== undefined) g.finishOnKey = endKey
  if (timeout !== undefined) g.timeout = timeout
  if (o.say !== undefined && o.playback !== undefined) throw birdInvalid(f, 'give a nested say or a nested playback, not both')
  if (o.say !== undefined) {
    g.say = withoutVerb(sayVerb(nested(o.say, `${f}.say`), `${f}.say`))
  }
  if (o.playback !== undefined) {
    const p = nested(o.playback, `${f}.playback`)
    if (p.pauseMilliseconds) throw birdInvalid(`${f}.playback.pauseMilliseconds`, 'is not supported in a gather prompt')
    g.play = withoutVerb(playback(p, `${f}.playback`)[0])
  }
  return g
}

/** a nested prompt is the verb's properties without `verb` */
function withoutVerb(v: JambonzVerb): Record<string, unknown> {
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'verb'))
}

function nested(v: unknown, f: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw birdInvalid(f, 'must be an object')
  return v as Record<string, unknown>
}

/**
 * Bird Record (a voicemail-style recording): the native `record` verb starts a stereo
 * WAV in RECORDINGS_DIR (announced to the status hook when the call ends); when `endKey`
 * or `maxLength` is given the flow waits for that key or that many seconds before going
 * on. `timeout` (silence), `beep` and `transcribeLocale` are ignored; `transcribe` is refused.
 */
function recordVerbs(o: Record<string, unknown>, f: string, ctx: CommandContext): JambonzVerb[] {
  onlyKeys(o, ['endKey', 'maxLength', 'timeout', 'beep', 'transcribe', 'transcribeLocale'], f)
  const endKey = key(o, 'endKey', f)
  const maxLength = int(o, 'maxLength', f, 1, 86_400)
  int(o, 'timeout', f, 0, 86_400)
  bool(o, 'beep', f)
  str(o, 'transcribeLocale', f)
  if (bool(o, 'transcribe', f)) throw birdInvalid(`${f}.transcribe`, 'livecall has no transcription')
  const out: JambonzVerb[] = [{ verb: 'record', path: ctx.recordingPath }]
  if (endKey !== undefined || maxLength !== undefined) {
    out.push({ verb: 'gather', input: ['digits'], ...(endKey !== undefined ? { finishOnKey: endKey } : {}), timeout: maxLength ?? 0, dtmfBargein: false })
  }
  return out
}

/**
 * Bird bridge (forward a call): `to` a SIP URI (dialed as is) or a number (through
 * SIP_TRUNK), `from` the caller id, `ringTimeout` (3–120 s, default 30), `maxDuration`;
 * `record` records the bridged audio; `hangupAfterBridge` ends the call when the bridge
 * ends (else the flow goes on). `ringTone`, `recordStart`, `recordStereo`, `notification`
 * are ignored; a nested `callFlow` for the new call is refused.
 */
function bridgeVerbs(o: Record<string, unknown>, f: string, ctx: CommandContext): JambonzVerb[] {
  onlyKeys(o, ['from', 'to', 'ringTimeout', 'maxDuration', 'ringTone', 'hangupAfterBridge', 'record', 'recordStart', 'recordStereo', 'notification', 'callFlow'], f)
  const to = str(o, 'to', f)
  if (!to) throw birdInvalid(`${f}.to`, 'is required')
  const target = /^sips?:/i.test(to) ? { type: 'sip', sipUri: to } : /^\+?[0-9]{2,20}$/.test(to) ? { type: 'phone', number: to } : undefined
  if (!target) throw birdInvalid(`${f}.to`, `must be a SIP URI (sip:…) or a phone number, got ${JSON.stringify(to)}`)
  const from = str(o, 'from', f)
  const ringTimeout = int(o, 'ringTimeout', f, 3, 120) ?? 30
  const maxDuration = int(o, 'maxDuration', f, 1, 28_800)
  str(o, 'ringTone', f)
  str(o, 'recordStart', f)
  bool(o, 'recordStereo', f)
  if (o.callFlow !== undefined) throw birdInvalid(`${f}.callFlow`, 'a callFlow for the bridged call is not supported by livecall')
  const dial: JambonzVerb = { verb: 'dial', target: [target], timeout: ringTimeout }
  if (from !== undefined) dial.callerId = from
  if (maxDuration !== undefined) dial.timeLimit = maxDuration
  const out: JambonzVerb[] = []
  if (bool(o, 'record', f)) out.push({ verb: 'record', path: ctx.recordingPath })
  out.push(dial)
  if (bool(o, 'hangupAfterBridge', f)) out.push({ verb: 'hangup' })
  return out
}
