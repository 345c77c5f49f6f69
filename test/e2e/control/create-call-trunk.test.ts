import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCall } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCallee, type Callee } from '../../support/parties.js'
import type { SipUdpCallee } from '../../support/sip-udp-callee.js'
import { waitForBye } from '../../support/sip-checks.js'

const requestUri = (m: string): string => m.split('\r\n')[0].split(' ')[1]

/** POST …/Calls with a phone target: sent to SIP_TRUNK with the number in the Request-URI (SPEC §5). */
describe('create call: phone targets through SIP_TRUNK', () => {
  let trunkParty: Callee
  let trunk: SipUdpCallee
  const env: Record<string, string> = {}
  // the trunk exists before livecall starts (this beforeAll runs before useLivecall's), so SIP_TRUNK can name its port
  beforeAll(async () => {
    trunkParty = await createCallee()
    trunk = trunkParty.sip
    env.SIP_TRUNK = `sip:127.0.0.1:${trunk.port}`
  })
  afterAll(async () => {
    await trunkParty.close()
  })
  const h = useLivecall({ env })

  it('a phone target is INVITEd at the trunk with the number in the Request-URI, and the app runs when answered', async () => {
    h().scaffold.route('/outbound-app', [{ verb: 'say', text: 'Calling a phone number.' }, { verb: 'hangup' }])
    const created = await createCall(h(), {
      from: '+15550001111',
      to: { type: 'phone', number: '+15557654321' },
      call_hook: h().scaffold.url('/outbound-app'),
      call_status_hook: h().scaffold.url('/status'),
    })
    expect(created.status).toBe(201)
    const sid = created.body.sid as string
    const call = await trunk.waitForCall()
    expect(requestUri(call.invite)).toBe(`sip:+15557654321@127.0.0.1:${trunk.port}`)
    await waitForBye(trunk, 'the trunk')
    expect(h().scaffold.requests('/outbound-app')[0].body).toMatchObject({ call_sid: sid, to: '+15557654321', from: '+15550001111' })
    await h().scaffold.waitForStatus('completed', sid)
  }, 40_000)

  it('a user target is a 400 and nothing is dialed', async () => {
    const before = trunk.calls.length
    const res = await createCall(h(), { from: '+15550001111', to: { type: 'user', name: 'alice@example.com' }, call_hook: h().scaffold.url('/outbound-app') })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('LIVECALL_ERR_BAD_REQUEST')
    expect(res.body.error.message).toMatch(/user/)
    expect(trunk.calls.length).toBe(before)
  })
})

describe('create call: a phone target without SIP_TRUNK', () => {
  const h = useLivecall()

  it('is a 400 naming SIP_TRUNK, and no call is created', async () => {
    const res = await createCall(h(), { from: '+15550001111', to: { type: 'phone', number: '+15557654321' }, call_hook: h().scaffold.url('/outbound-app') })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/SIP_TRUNK/)
    expect(h().counts().calls).toBe(0)
  })
})
