import { EventEmitter } from 'node:events'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { SipDialog } from '../../../src/sip/sip-dialog.js'

/** the part of a drachtio-srf Dialog SipDialog uses: its events and SDPs */
function srfDialog(): EventEmitter & { local: { sdp: string }; remote: { sdp: string }; sip: { callId: string } } {
  return Object.assign(new EventEmitter(), { local: { sdp: 'v=0 ours' }, remote: { sdp: 'v=0 theirs' }, sip: { callId: 'c1' } })
}

function reinvite(d: EventEmitter, offer: string): Promise<{ status: number; body?: string }> {
  return new Promise((resolve) => {
    const res = { send: (status: number, opts?: { body?: string }) => resolve({ status, body: opts?.body }) }
    d.emit('modify', { body: offer }, res)
  })
}

describe('SipDialog: the far end acts before the call layer took the dialog', () => {
  it('an offer that arrives before onOffer waits for the handler and is answered by it, not with our old SDP', async () => {
    const d = srfDialog()
    const dialog = new SipDialog(d as never, pino({ level: 'silent' }))
    // drachtio-server: ACK and re-INVITE in the same read as the 200's echo
    const answered = reinvite(d, 'v=0 a=inactive')
    await new Promise((r) => setImmediate(r))
    dialog.onOffer(async (offer) => `answer to ${offer}`)
    expect(await answered).toEqual({ status: 200, body: 'answer to v=0 a=inactive' })
    expect(d.local.sdp).toBe('answer to v=0 a=inactive')
  })

  it('with a handler in place the offer is answered at once; a refused offer is 488', async () => {
    const d = srfDialog()
    const dialog = new SipDialog(d as never, pino({ level: 'silent' }))
    dialog.onOffer(async (offer) => {
      if (offer.includes('bad')) throw new Error('no codec')
      return 'fine'
    })
    expect(await reinvite(d, 'v=0 ok')).toEqual({ status: 200, body: 'fine' })
    expect((await reinvite(d, 'v=0 bad')).status).toBe(488)
  })

  it('a BYE before onEnded is still reported to a listener added afterwards (far-end)', async () => {
    const d = srfDialog()
    const dialog = new SipDialog(d as never, pino({ level: 'silent' }))
    d.emit('destroy', {})
    const heard: string[] = []
    dialog.onEnded((reason) => heard.push(reason))
    expect(heard).toEqual([])
    await Promise.resolve()
    await Promise.resolve()
    expect(heard).toEqual(['far-end'])
  })
})
