import { describe, expect, it } from 'vitest'
import { ackFor, cancel, invite, newCall, type PeerCall } from '../integration/engine/peer-messages.js'
import { RawWireClient } from '../integration/engine/raw-wire-client.js'
import { UdpSipPeer } from '../integration/engine/udp-sip-peer.js'
import type { EngineHarness } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'

/**
 * Replies on the drachtio wire (drachtio-protocol.md §A.3.2) that apps can see, checked
 * byte for byte against what a real drachtio-server v0.9.5 sends; the same file runs
 * against the engine and, with DRACHTIO_HOST set, against drachtio-server.
 */
describe('engine: drachtio wire replies to an app answering an incoming INVITE over udp', () => {
  const h = useEngineHarness()

  /** A raw app that routed invite, a raw UDP caller, and the INVITE notification. */
  async function incomingCall(harness: EngineHarness) {
    const { drachtioHost, drachtioPort, drachtioSecret, sipPort } = harness.endpoints
    const app = await RawWireClient.connect(drachtioPort, drachtioHost)
    const peer = await UdpSipPeer.bind(await harness.ports.pick())
    expect((await app.authenticate(drachtioSecret)).tokens[3]).toBe('OK')
    expect((await app.route('invite')).tokens[3]).toBe('OK')
    const call = newCall(peer.port, sipPort)
    peer.send(invite(call), sipPort)
    const note = await app.sip('INVITE ')
    const done = async () => {
      app.close()
      await peer.close()
    }
    return { app, peer, call, txnId: note.tokens[8], sipPort, done }
  }

  const dialogIdOf = (call: PeerCall) => `${call.callId};from-tag=${call.fromTag}`

  it('echoes a 486 with the dialog id <Call-ID>;from-tag=<caller tag>', async () => {
    const { app, peer, call, txnId, sipPort, done } = await incomingCall(h())
    try {
      const echo = await app.reply(app.send(`sip|${txnId}|`, 'SIP/2.0 486 Busy Here\r\n\r\n'))
      expect(echo.tokens[3]).toBe('OK')
      expect(echo.tokens.slice(10)).toEqual([txnId, dialogIdOf(call), '', 'Msg sent:', ''])
      const busy = await peer.response(486, 'INVITE')
      peer.send(ackFor(call, busy.msg), sipPort)
    } finally {
      await done()
    }
  })

  it('refuses a response after the caller CANCELed with NOK|Response not sent due to unknown transaction', async () => {
    const { app, peer, call, txnId, sipPort, done } = await incomingCall(h())
    try {
      peer.send(cancel(call), sipPort)
      const terminated = await peer.response(487, 'INVITE')
      await app.sip('CANCEL ')
      const late = await app.reply(app.send(`sip|${txnId}|`, 'SIP/2.0 486 Busy Here\r\n\r\n'))
      expect(late.tokens.slice(3)).toEqual(['NOK', 'Response not sent due to unknown transaction'])
      peer.send(ackFor(call, terminated.msg), sipPort)
    } finally {
      await done()
    }
  })
})

describe('engine: drachtio wire notifications for an app INVITE that cannot be sent', () => {
  const h = useEngineHarness()

  it('passes the 503 for a refused TCP connection up with the dialog id <Call-ID>;from-tag=<our tag>', async () => {
    const { drachtioHost, drachtioPort, drachtioSecret } = h().endpoints
    const app = await RawWireClient.connect(drachtioPort, drachtioHost)
    try {
      expect((await app.authenticate(drachtioSecret)).tokens[3]).toBe('OK')
      const closedPort = await h().ports.pick() // free, so nobody listens: the connect is refused
      const echo = await app.reply(app.send('sip||', `INVITE sip:x@127.0.0.1:${closedPort};transport=tcp SIP/2.0\r\nFrom: <sip:a@localhost>\r\n\r\n`))
      expect(echo.tokens[3]).toBe('OK')
      const sent = echo.sip.toString('latin1')
      const callId = /^Call-ID: (.+)$/im.exec(sent)![1]
      const fromTag = /^From: .*;tag=([^;\s]+)/im.exec(sent)![1]
      const unavailable = await app.sip('SIP/2.0 503')
      expect(unavailable.tokens[8]).toBe(echo.tokens[10])
      expect(unavailable.tokens[9]).toBe(`${callId};from-tag=${fromTag}`)
    } finally {
      app.close()
    }
  })
})
