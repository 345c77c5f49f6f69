import jambonz from '@jambonz/node-client'
import { describe, expect, it } from 'vitest'
import { waitForSilence, waitForTone } from '../../support/audio-check.js'
import { ACCOUNT, API_KEY, callBridged } from '../../support/control-call.js'
import { useLivecall } from '../../support/livecall-harness.js'
import { createCallee } from '../../support/parties.js'

/** @jambonz/node-client, pointed at livecall with its baseUrl, works unchanged (issue 8). */
describe('the native control API through @jambonz/node-client', () => {
  const h = useLivecall()
  const client = () => jambonz(ACCOUNT, API_KEY, { baseUrl: h().baseUrl })

  it('list, retrieve, update (mute / unmute) and delete a bridged call', async () => {
    const x = await callBridged(h())
    const { phone: a, peer: aPeer, callee: b, calleePeer: bPeer } = x
    try {
      await waitForTone(bPeer, 700, { timeoutMs: 5000 })

      const calls = await client().calls.list()
      expect(calls).toHaveLength(2)
      const parent = calls.find((c) => c.direction === 'inbound')!
      const child = calls.find((c) => c.direction === 'outbound')!
      expect(child.parent_call_sid).toBe(parent.call_sid)
      expect(await client().calls.retrieve(parent.call_sid as string)).toMatchObject({ call_sid: parent.call_sid, call_status: 'in-progress' })

      await client().calls.update(parent.call_sid as string, { mute_status: 'mute' })
      await waitForSilence(bPeer, { timeoutMs: 3000 }) // B no longer hears A
      await waitForTone(aPeer, 1200, { timeoutMs: 3000 }) // A still hears B
      await client().calls.update(parent.call_sid as string, { mute_status: 'unmute' })
      await waitForTone(bPeer, 700, { timeoutMs: 3000 })

      await client().calls.delete(parent.call_sid as string)
      await a.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the caller')
      await b.waitFor((m) => m.startsWith('BYE '), 5000, 'BYE to the callee')
      await expect(client().calls.retrieve(parent.call_sid as string)).rejects.toThrow(/not found/)
    } finally {
      await x.end()
    }
  }, 40_000)

  it('create dials out and runs the call_hook app when answered; the status hook sees the call', async () => {
    const callee = await createCallee()
    const { sip: b, peer: bPeer } = callee
    try {
      h().scaffold.route('/outbound-app', [{ verb: 'say', text: 'This is an outbound call.' }, { verb: 'hangup' }])
      const sid = await client().calls.create({
        from: '+15550002222',
        to: { type: 'sip', sipUri: b.uri('carol') },
        call_hook: h().scaffold.url('/outbound-app'),
        call_status_hook: h().scaffold.url('/status'),
      })
      expect(sid).toMatch(/^[0-9a-f-]{36}$/)
      await b.waitFor((m) => m.startsWith('BYE '), 15_000, 'BYE after the app')
      expect(bPeer.audio().length).toBeGreaterThan(25)
      const [hook] = h().scaffold.requests('/outbound-app')
      expect(hook.body).toMatchObject({ call_sid: sid, direction: 'outbound', from: '+15550002222', to: 'carol', call_status: 'in-progress' })
      await h().scaffold.waitForStatus('completed', sid)
      expect(h().scaffold.statuses(sid)).toEqual(['trying', 'ringing', 'in-progress', 'completed'])
    } finally {
      await callee.close()
    }
  }, 40_000)
})
