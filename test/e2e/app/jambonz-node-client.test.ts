import jambonz from '@jambonz/node-client'
import { describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCaller } from '../../support/parties.js'

const { WebhookResponse } = jambonz

/** Applications written with jambonz's own SDK run unchanged (issue: "A document built with WebhookResponse runs unchanged"). */
describe('@jambonz/node-client applications', () => {
  const h = useLivecall({ env: { WEBHOOK_SECRET: 'jambonz-app-secret' } })

  it('a WebhookResponse document runs unchanged, and verifyJambonzSignature accepts livecall\'s request', async () => {
    h().scaffold.route('/app', () => {
      const app = new WebhookResponse()
      app.tag({ data: { crm: 'ticket-42' } }).say({ text: 'Welcome to livecall.' }).pause({ length: 0.2 }).hangup()
      return app.toJSON()
    })
    const { phone, peer, call, close } = await createCaller(h())
    try {
      const final = await call()
      expect(final).toMatch(/^SIP\/2\.0 200 OK/)
      await phone.answerBye(15_000)
      expect(peer.audio().length).toBeGreaterThan(25)
    } finally {
      await close()
    }
    const [req] = h().scaffold.requests('/app')
    // jambonz's own middleware, on the request livecall sent (Express-like req)
    const verify = WebhookResponse.verifyJambonzSignature('jambonz-app-secret')
    const outcome = (secret: string) => {
      let error: unknown = 'not called'
      const check = secret === 'jambonz-app-secret' ? verify : WebhookResponse.verifyJambonzSignature(secret)
      try {
        check({ get: (n: string) => req.headers[n.toLowerCase()], body: req.body, url: req.path }, {}, (err?: unknown) => (error = err))
      } catch (err) {
        error = err
      }
      return error
    }
    expect(outcome('jambonz-app-secret')).toBeUndefined()
    expect(outcome('another-secret')).toBeDefined()
    // the tag verb's data rides on later webhooks as customerData
    const sid = (req.body as { call_sid: string }).call_sid
    const last = await h().scaffold.waitForStatus('completed', sid)
    expect(last.body).toMatchObject({ customerData: { crm: 'ticket-42' } })
  }, 30_000)
})
