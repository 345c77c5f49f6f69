import type { Logger } from 'pino'
import { parseDocument } from '../document/parse-document.js'
import { appInvalid } from '../verbs/verb-errors.js'
import type { VerbStep } from '../verbs/verb.js'
import { XML_VERBS, type JambonzVerb, type XmlTranslateContext } from './xml-verbs.js'
import { parseXmlTree } from './xml-tree.js'

export type { XmlTranslateContext } from './xml-verbs.js'

/**
 * An XML application (TwiML / LaML / RCML `<Response>`) → the native verbs to run.
 * Every element is translated to its jambonz verb first, then the whole list goes
 * through parseDocument (jambonz's schemas, then each verb's own `parse`), so an XML
 * app is validated exactly as a JSON one. Any unsupported verb or attribute, or a bad
 * value, refuses the whole document (appInvalid naming it): nothing half-runs.
 * An empty `<Response/>` is an empty application.
 */
export function translateXmlDocument(text: string, ctx: XmlTranslateContext, logger: Logger): VerbStep[] {
  const root = parseXmlTree(text)
  if (root.name !== 'Response') throw appInvalid(`the XML document's root element must be <Response>, not <${root.name}>`)
  if (root.text !== '') throw appInvalid('<Response> has text outside any verb')
  const verbs: JambonzVerb[] = []
  root.children.forEach((el, index) => {
    const translate = XML_VERBS.get(el.name)
    if (!translate) throw appInvalid(`verb ${index + 1} <${el.name}> is not supported by livecall (supported: ${[...XML_VERBS.keys()].join(', ')})`)
    try {
      verbs.push(...translate(el, ctx))
    } catch (err) {
      throw appInvalid(`verb ${index + 1} <${el.name}>: ${(err as Error).message}`)
    }
  })
  if (verbs.length > 0 && answersFirst(verbs[0])) verbs.unshift({ verb: 'answer' })
  return parseDocument(verbs, logger)
}

/**
 * Twilio answers a ringing call as it starts the document, whatever the first verb is
 * (a leading <Pause> is silence on an answered call), except <Reject> (the call is
 * refused unanswered) and <Dial answerOnBridge="true"> (answered when the callee is).
 * livecall's `answer` is a no-op on an answered call, so a redirected document is unchanged.
 */
function answersFirst(first: JambonzVerb): boolean {
  if (first.verb === 'sip:decline') return false
  return !(first.verb === 'dial' && first.answerOnBridge === true)
}
