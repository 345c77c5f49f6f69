import { appInvalid } from '../verbs/verb-errors.js'
import type { XmlElement } from './xml-tree.js'

/** What a translation needs besides the element: where the document came from, for Twilio's default action URLs. */
export interface XmlTranslateContext {
  /** the URL the document was fetched from (Gather's default action); undefined for an inline document */
  documentUrl?: string
  callSid: string
  /** numbers the <Record> files of one call */
  nextRecording(): number
}

/** One jambonz verb, in the `{verb: name, …}` form parseDocument validates. */
export type JambonzVerb = Record<string, unknown> & { verb: string }

type Translator = (el: XmlElement, ctx: XmlTranslateContext) => JambonzVerb[]

/**
 * Attributes a verb maps (`used`), and those TwiML/RCML/LaML define that livecall accepts
 * without effect (`ignored`, listed in docs/xml-applications.md). Any other attribute
 * refuses the document, so an app never silently runs differently from what it says.
 */
function attrs(el: XmlElement, used: string[], ignored: string[] = []): Record<string, string> {
  for (const name of Object.keys(el.attrs)) {
    if (!used.includes(name) && !ignored.includes(name)) {
      throw appInvalid(`<${el.name}> attribute ${name} is not supported by livecall`)
    }
  }
  const out: Record<string, string> = {}
  for (const name of used) if (el.attrs[name] !== undefined) out[name] = el.attrs[name]
  return out
}

function noChildren(el: XmlElement): void {
  if (el.children.length > 0) throw appInvalid(`<${el.name}> cannot contain <${el.children[0].name}>`)
}

function int(el: XmlElement, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value.trim())) throw appInvalid(`<${el.name}> ${name} must be a whole number, got ${JSON.stringify(value)}`)
  return Number(value)
}

function bool(el: XmlElement, name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined
  const v = value.trim().toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw appInvalid(`<${el.name}> ${name} must be true or false, got ${JSON.stringify(value)}`)
}

function method(el: XmlElement, name: string, value: string | undefined): 'GET' | 'POST' {
  const v = (value ?? 'POST').trim().toUpperCase()
  if (v !== 'GET' && v !== 'POST') throw appInvalid(`<${el.name}> ${name} must be GET or POST, got ${JSON.stringify(value)}`)
  return v
}

function hook(url: string, m: 'GET' | 'POST'): { url: string; method: 'GET' | 'POST' } {
  return { url, method: m }
}

/** TwiML `loop`: 0 repeats until the call moves on (jambonz "forever"); default 1. */
function loop(el: XmlElement, value: string | undefined): number | string {
  const n = int(el, 'loop', value) ?? 1
  return n === 0 ? 'forever' : n
}

const SAY_IGNORED = ['voice', 'language']

const say: Translator = (el) => {
  const a = attrs(el, ['loop'], SAY_IGNORED)
  noChildren(el)
  return [{ verb: 'say', text: el.text, loop: loop(el, a.loop) }]
}

const play: Translator = (el) => {
  const a = attrs(el, ['loop', 'digits'])
  noChildren(el)
  if (a.digits !== undefined) {
    if (el.text !== '') throw appInvalid('<Play> takes either digits or a URL, not both')
    return [{ verb: 'dtmf', dtmf: a.digits }]
  }
  if (el.text === '') throw appInvalid('<Play> needs a URL (or digits)')
  return [{ verb: 'play', url: el.text, loop: loop(el, a.loop) }]
}

const pause: Translator = (el) => {
  const a = attrs(el, ['length'])
  noChildren(el)
  return [{ verb: 'pause', length: int(el, 'length', a.length) ?? 1 }]
}

/**
 * <Gather>: DTMF only (livecall has no recognizer). Defaults as Twilio: action = the
 * document's URL, finishOnKey '#', timeout 5 s (also the gap allowed between digits).
 * One nested <Say> or <Play> is the prompt.
 */
const gather: Translator = (el, ctx) => {
  const a = attrs(el, ['action', 'method', 'numDigits', 'finishOnKey', 'timeout', 'input'], ['actionOnEmptyResult', 'language', 'hints', 'speechTimeout', 'speechModel', 'profanityFilter', 'enhanced', 'partialResultCallback', 'partialResultCallbackMethod', 'bargeIn'])
  const input = (a.input ?? 'dtmf').trim().split(/\s+/)
  for (const i of input) if (i !== 'dtmf' && i !== 'speech') throw appInvalid(`<Gather> input must be dtmf and/or speech, got ${JSON.stringify(a.input)}`)
  if (!input.includes('dtmf')) throw appInvalid('<Gather input="speech">: livecall has no speech recognizer; input must include dtmf')
  const action = a.action ?? ctx.documentUrl
  if (action === undefined) throw appInvalid('<Gather> in an inline document needs an action URL')
  const timeout = int(el, 'timeout', a.timeout) ?? 5
  const out: JambonzVerb = {
    verb: 'gather',
    input: ['digits'],
    actionHook: hook(action, method(el, 'method', a.method)),
    timeout,
    interDigitTimeout: timeout,
  }
  const numDigits = int(el, 'numDigits', a.numDigits)
  if (numDigits !== undefined) out.numDigits = numDigits
  const finishOnKey = a.finishOnKey ?? '#'
  if (finishOnKey !== '') out.finishOnKey = finishOnKey
  if (el.children.length > 1) throw appInvalid(`<Gather> has ${el.children.length} nested verbs; livecall plays one nested <Say> or <Play>`)
  const nested = el.children[0]
  if (nested) {
    if (nested.name !== 'Say' && nested.name !== 'Play') throw appInvalid(`<Gather> cannot contain <${nested.name}>; only one <Say> or <Play>`)
    const [prompt] = (nested.name === 'Say' ? say : play)(nested, ctx)
    if (prompt.verb === 'dtmf') throw appInvalid('<Gather> cannot contain <Play digits>')
    const { verb, ...rest } = prompt
    out[verb] = rest
  }
  return [out]
}

const NUMBER_IGNORED = ['statusCallback', 'statusCallbackEvent', 'statusCallbackMethod', 'byoc']
const SIP_IGNORED = ['statusCallback', 'statusCallbackEvent', 'statusCallbackMethod']

/** A <Dial> noun (or the Dial's own text) → a jambonz dial target. */
function target(noun: XmlElement): Record<string, unknown> {
  switch (noun.name) {
    case 'Number':
      attrs(noun, [], NUMBER_IGNORED)
      noChildren(noun)
      return { type: 'phone', number: noun.text }
    case 'Sip':
      attrs(noun, [], SIP_IGNORED)
      noChildren(noun)
      return { type: 'sip', sipUri: noun.text }
    case 'Client':
      throw appInvalid('<Dial><Client> is not supported: livecall has no SIP registrar to find clients')
    default:
      throw appInvalid(`<Dial> cannot contain <${noun.name}>`)
  }
}

/**
 * <Conference> inside <Dial> → jambonz `conference`: Twilio's defaults
 * (startConferenceOnEnter true, endConferenceOnExit false); waitUrl must answer an XML
 * document of Say/Play/Pause (it is fetched as the wait music loop).
 */
function conference(noun: XmlElement, dialAction: Record<string, unknown> | undefined): JambonzVerb {
  const a = attrs(noun, ['startConferenceOnEnter', 'endConferenceOnExit', 'waitUrl', 'waitMethod', 'muted', 'maxParticipants', 'beep'], ['statusCallback', 'statusCallbackEvent', 'statusCallbackMethod', 'region', 'trim', 'record', 'recordingStatusCallback', 'recordingStatusCallbackEvent', 'recordingStatusCallbackMethod', 'coach', 'jitterBufferSize', 'participantLabel'])
  noChildren(noun)
  if (noun.text === '') throw appInvalid('<Conference> needs a room name')
  const out: JambonzVerb = {
    verb: 'conference',
    name: noun.text,
    startConferenceOnEnter: bool(noun, 'startConferenceOnEnter', a.startConferenceOnEnter) ?? true,
    endConferenceOnExit: bool(noun, 'endConferenceOnExit', a.endConferenceOnExit) ?? false,
  }
  const muted = bool(noun, 'muted', a.muted)
  if (muted !== undefined) out.joinMuted = muted
  const max = int(noun, 'maxParticipants', a.maxParticipants)
  if (max !== undefined) out.maxParticipants = max
  if (a.beep !== undefined) out.beep = a.beep !== 'false'
  if (a.waitUrl !== undefined && a.waitUrl !== '') out.waitHook = hook(a.waitUrl, method(noun, 'waitMethod', a.waitMethod))
  if (dialAction) out.actionHook = dialAction
  return out
}

const DIAL_IGNORED = ['ringTone', 'recordingStatusCallback', 'recordingStatusCallbackMethod', 'recordingStatusCallbackEvent', 'trim', 'sequential', 'referUrl', 'referMethod']

/** <Dial>: its text (a number) or its nouns, in parallel as Twilio rings them; or one <Conference>. */
const dial: Translator = (el) => {
  const a = attrs(el, ['action', 'method', 'timeout', 'callerId', 'answerOnBridge', 'timeLimit', 'record', 'hangupOnStar'], DIAL_IGNORED)
  if (a.record !== undefined && a.record !== 'do-not-record') throw appInvalid('<Dial record> is not supported: record the call with <Record> or the live API')
  if (bool(el, 'hangupOnStar', a.hangupOnStar) === true) throw appInvalid('<Dial hangupOnStar="true"> is not supported')
  const action = a.action !== undefined ? hook(a.action, method(el, 'method', a.method)) : undefined
  const conf = el.children.filter((c) => c.name === 'Conference')
  if (conf.length > 0) {
    if (el.children.length > 1 || el.text !== '') throw appInvalid('<Dial><Conference> must be the only noun of its <Dial>')
    return [conference(conf[0], action)]
  }
  const targets = el.children.map(target)
  if (el.text !== '') {
    if (targets.length > 0) throw appInvalid('<Dial> has both a number as text and nested nouns')
    targets.push({ type: 'phone', number: el.text })
  }
  if (targets.length === 0) throw appInvalid('<Dial> needs a number, <Number>, <Sip> or <Conference>')
  const out: JambonzVerb = { verb: 'dial', target: targets, timeout: int(el, 'timeout', a.timeout) ?? 30 }
  if (action) out.actionHook = action
  if (a.callerId !== undefined) out.callerId = a.callerId
  const onBridge = bool(el, 'answerOnBridge', a.answerOnBridge)
  if (onBridge !== undefined) out.answerOnBridge = onBridge
  const limit = int(el, 'timeLimit', a.timeLimit)
  if (limit !== undefined) out.timeLimit = limit
  return [out]
}

const hangup: Translator = (el) => {
  attrs(el, [])
  noChildren(el)
  return [{ verb: 'hangup' }]
}

/** <Reject reason="busy"> → 486 Busy Here; "rejected" (the default) → 603 Decline. */
const reject: Translator = (el) => {
  const a = attrs(el, ['reason'])
  noChildren(el)
  const reason = a.reason ?? 'rejected'
  if (reason !== 'busy' && reason !== 'rejected') throw appInvalid(`<Reject> reason must be busy or rejected, got ${JSON.stringify(reason)}`)
  return [{ verb: 'sip:decline', status: reason === 'busy' ? 486 : 603, reason: reason === 'busy' ? 'Busy Here' : 'Decline' }]
}

const redirect: Translator = (el) => {
  const a = attrs(el, ['method'])
  noChildren(el)
  if (el.text === '') throw appInvalid('<Redirect> needs a URL')
  return [{ verb: 'redirect', actionHook: hook(el.text, method(el, 'method', a.method)) }]
}

/**
 * <Record> → livecall's `record`: both directions of the whole call are recorded in the
 * background into RECORDINGS_DIR/<CallSid>-<n>.wav and the next verb runs at once.
 * Twilio's voicemail attributes (action, maxLength, finishOnKey, transcribe) are refused.
 */
const record: Translator = (el, ctx) => {
  attrs(el, [], ['playBeep', 'trim', 'timeout', 'recordingStatusCallback', 'recordingStatusCallbackMethod', 'recordingStatusCallbackEvent', 'recordingChannels'])
  noChildren(el)
  return [{ verb: 'record', path: `${ctx.callSid}-${ctx.nextRecording()}.wav` }]
}

/** The verbs of an XML application livecall runs, by TwiML/RCML/LaML name. */
export const XML_VERBS: ReadonlyMap<string, Translator> = new Map([
  ['Say', say],
  ['Play', play],
  ['Pause', pause],
  ['Gather', gather],
  ['Dial', dial],
  ['Hangup', hangup],
  ['Reject', reject],
  ['Redirect', redirect],
  ['Record', record],
])
