import { describe, expect, it } from 'vitest'
import { getHeader } from '../../src/engine/message/index.js'
import { ackFor, cancel, inDialog, invite, newCall } from '../integration/engine/peer-messages.js'
import { UdpSipPeer } from '../integration/engine/udp-sip-peer.js'
import { deferred, pcmuSdp, within } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A CANCEL that crosses our 200 (RFC 3261 §9.2: once the final response is sent the
 * CANCEL has no effect). Seen on a real drachtio-server v0.9.5: 481 to the CANCEL, the
 * call goes on, nobody sends a BYE.
 */
describe('engine: CANCEL after the 200 over udp', () => {
  const h = useEngineHarness()

  it('answers the CANCEL 481 and keeps the call: the ACK reaches the app, no BYE, the caller\'s BYE ends it', async () => {
    const answered = deferred()
    const destroyed = deferred()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        srf.createUAS(req, res, { localSdp: pcmuSdp(40040) }).then((uas) => {
          uas.on('destroy', () => destroyed.resolve())
          answered.resolve()
        }, answered.reject)
      }),
    )
    const { sipPort } = h().endpoints
    const peer = await UdpSipPeer.bind(await h().ports.pick())
    try {
      const call = newCall(peer.port, sipPort)
      peer.send(invite(call), sipPort)
      const ok = await peer.response(200, 'INVITE')
      peer.send(cancel(call), sipPort)
      await peer.response(481, 'CANCEL')
      peer.send(ackFor(call, ok.msg), sipPort)
      await within(answered.promise, 2000, 'createUAS to resolve')
      await sleep(300)
      expect(peer.count((d) => d.msg.kind === 'request' && d.msg.method === 'BYE')).toBe(0)

      peer.send(inDialog(call, 'BYE', getHeader(ok.msg, 'to')!, 2), sipPort)
      await peer.response(200, 'BYE')
      await within(destroyed.promise, 1000, 'dialog destroy for the caller\'s BYE')
    } finally {
      await peer.close()
    }
  })
})
