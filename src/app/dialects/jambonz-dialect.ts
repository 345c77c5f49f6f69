import { parseDocument } from '../document/parse-document.js'
import type { AppDialect } from './app-dialect.js'

/** jambonz webhooks (SPEC §3/§4): the call description plus the results POSTed as JSON; a JSON verb list back. */
export const jambonzDialect: AppDialect = {
  name: 'jambonz',
  async fetch({ deps, call }, hook, extra, signal) {
    const doc = await deps.webhooks.fetchDocument(hook, { ...call.describe(), ...extra }, signal)
    return parseDocument(doc, call.logger)
  },
  actionParams: (results) => results,
  actionAlwaysReplaces: false,
  fallbackParams: () => ({}),
}
