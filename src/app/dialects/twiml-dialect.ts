import type { Call } from '../../call/call.js'
import { isCoded } from '../../errors/index.js'
import { appInvalid } from '../verbs/verb-errors.js'
import { translateXmlDocument, type XmlTranslateContext } from '../xml/translate-xml.js'
import type { AppDialect } from './app-dialect.js'
import { twilioActionParams, twilioCallParams } from './twilio-params.js'
import { twilioSignatureHeaders } from './twilio-signature.js'

const recordings = new WeakMap<Call, number>()

/** What translating a document for `call` needs: the document's URL (Gather's default action) and the call's <Record> numbering. */
export function xmlContextOf(call: Call, documentUrl?: string): XmlTranslateContext {
  return {
    documentUrl,
    callSid: call.sid,
    nextRecording: () => {
      const n = (recordings.get(call) ?? 0) + 1
      recordings.set(call, n)
      return n
    },
  }
}

/** Twilio's notification codes a fallback request carries: 11200 HTTP retrieval failure, 12100 document parse failure. */
function errorCode(err: unknown): string {
  return isCoded(err) && err.code === 'LIVECALL_ERR_APP_INVALID' ? '12100' : '11200'
}

/**
 * XML applications (TwiML, SignalWire LaML, Restcomm RCML): every request is form-encoded
 * with Twilio's call parameters (twilio-params.ts) plus the action's results, signed
 * with X-Twilio-Signature and X-SignalWire-Signature keyed by `signingKey` (API_KEY);
 * the answer is an XML `<Response>` translated onto livecall's verbs (xml/).
 */
export function twimlDialect(signingKey: string): AppDialect {
  return {
    name: 'twiml',
    async fetch({ deps, call }, hook, extra, signal) {
      const params = { ...twilioCallParams(call, call.describe()), ...extra }
      const answer = await deps.webhooks.fetchRaw(hook, params, {
        form: true,
        signal,
        sign: (url, body) => twilioSignatureHeaders(signingKey, url, body),
      })
      if (answer.body.trim() === '') throw appInvalid(`${hook.method} ${hook.url} answered ${answer.status} with an empty body, not an XML document`)
      return translateXmlDocument(answer.body, xmlContextOf(call, hook.url), call.logger)
    },
    actionParams: (results) => twilioActionParams(results),
    actionAlwaysReplaces: true,
    fallbackParams: (failedUrl, err) => ({ ErrorCode: errorCode(err), ErrorUrl: failedUrl }),
  }
}
