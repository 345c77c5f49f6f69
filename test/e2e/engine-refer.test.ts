import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, pcmuSdp, ServerUnderTest, within } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { describeSipp, runSipp, startSipp, type SippResult } from '../support/sipp.js'
import { dialogIdOfRequest, expectOk, headerOf, messagesOf, notifyIn, requestOut, route, SIPFRAG, sippUri, tagOf, waitFor, type SrfDialog } from '../support/subscription-app.js'

type Counts = { dialogs: number; subscriptions: number }

/**
 * RFC 3515 REFER and its implicit subscription through drachtio-srf, in a call and outside
 * one, either way: 202, then NOTIFYs carrying message/sipfrag, the last one with
 * `Subscription-State: terminated`; RFC 4488 `Refer-Sub: false` makes none. drachtio-server
 * passes all of it through; the engine also keeps the implicit subscription (counts, expiry).
 */
describe.each(['udp', 'tcp'] as const)('engine: REFER over %s', (transport) => {
  const h = useEngineHarness()
  /**
   * drachtio-server (v0.9.10) discards a REFER outside a dialog: its stateless router
   * (controller.cpp `processMessageStatelessly`) has no case for REFER and calls
   * `nta_msg_discard`, so the sender gets no answer at all and no app sees it.
   */
  const unanswered = (): number | undefined => (h().server === ServerUnderTest.Embedded ? undefined : 2500)
  const expectDropped = (r: SippResult, referred: boolean): void => {
    expect(r.successful, describeSipp(r)).toBe(0)
    expect(messagesOf(r.messages, /^SIP\/2\.0 \d{3} /), 'no response at all').toEqual([])
    expect(referred, 'the app never sees the REFER').toBe(false)
  }
  const counts = (): Counts | null => {
    const c = h().engine?.counts()
    return c ? { dialogs: c.dialogs, subscriptions: c.subscriptions } : null
  }

  it('in a call, the app is referred: 202, NOTIFYs with message/sipfrag, the terminated one ends the subscription and the call goes on to BYE', async () => {
    const seen: Array<Counts | null> = []
    const referred = deferred<Srf.SrfRequest>()
    const hungUp = deferred()
    await h().connectSrf((srf) =>
      srf.invite((req, res) => {
        void srf.createUAS(req, res, { localSdp: pcmuSdp(40200) }).then((dlg) => {
          dlg.on('destroy', () => hungUp.resolve())
          dlg.on('refer', (refer: Srf.SrfRequest, r: Srf.SrfResponse) => {
            referred.resolve(refer)
            r.send(202)
            void (async () => {
              await notifyIn(dlg, 'refer', 'active;expires=60', { type: SIPFRAG, text: 'SIP/2.0 100 Trying\r\n' })
              seen.push(counts())
              await notifyIn(dlg, 'refer', 'terminated;reason=noresource', { type: SIPFRAG, text: 'SIP/2.0 200 OK\r\n' })
              seen.push(counts())
            })()
          })
        })
      }),
    )

    const r = await runSipp({ scenario: 'uac-invite-refer-expect-notify.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true, pauseMs: 200 })

    expectOk(r, 'transferor (checks Event: refer, message/sipfrag, the substates)')
    expect((await within(referred.promise, 1000, 'the REFER at the app')).get('Refer-To')).toMatch(/^<sip:carol@/)
    await within(hungUp.promise, 1000, 'the BYE')
    const notifies = messagesOf(r.messages, /^NOTIFY /)
    expect(notifies.map((n) => headerOf(n, 'Content-Type'))).toEqual([SIPFRAG, SIPFRAG])
    expect(notifies.map((n) => /\r?\n\r?\n(SIP\/2\.0 \d{3})/.exec(n)?.[1])).toEqual(['SIP/2.0 100', 'SIP/2.0 200'])
    // the implicit subscription lives in the INVITE dialog until the terminated NOTIFY's 200
    if (h().server === ServerUnderTest.Embedded) expect(seen).toEqual([{ dialogs: 1, subscriptions: 1 }, { dialogs: 1, subscriptions: 0 }])
  })

  it('in a call, the app refers the far end: its NOTIFYs reach the dialog as `notify`, and the app hangs up after the final one', async () => {
    const srf = await h().connectSrf()
    const b = await startSipp({ scenario: 'uas-answer-expect-refer-notify.xml', transport, ports: h().ports, traceMessages: true })
    await b.ready
    const dlg = await srf.createUAC(sippUri(b.localPort, transport), { localSdp: pcmuSdp(40202) })
    const states: string[] = []
    const frags: string[] = []
    const done = deferred()
    dlg.on('notify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      states.push(req.get('Subscription-State'))
      frags.push(req.body.trim())
      res.send(200)
      if (/^terminated/.test(req.get('Subscription-State'))) done.resolve()
    })

    const accepted = await (dlg as SrfDialog).request({ method: 'REFER', headers: { 'Refer-To': `<sip:carol@127.0.0.1:${b.localPort}>` } })
    expect(accepted.status).toBe(202)
    const during = counts()
    await within(done.promise, 2000, 'the terminated NOTIFY')
    if (h().engine) await waitFor(() => counts()!.subscriptions === 0, 1000, 'the REFER subscription to end')
    expect(counts() ?? { dialogs: 1, subscriptions: 0 }).toEqual({ dialogs: 1, subscriptions: 0 }) // the call is still up
    await dlg.destroy()

    expectOk(await b.done, 'transferee (checks Refer-To, expects the BYE)')
    expect(states).toEqual(['active;expires=60', 'terminated;reason=noresource'])
    expect(frags).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'])
    if (during) expect(during.dialogs).toBe(1)
  })

  it('outside a dialog, the app is referred: it answers 202 and sends NOTIFYs with the REFER\'s Call-ID and tags; the terminated one ends it (drachtio-server drops such a REFER)', async () => {
    const seen: Array<Counts | null> = []
    const sent = deferred()
    let referred = false
    await h().connectSrf((srf) =>
      route(srf, 'refer', (req, res) => {
        referred = true
        res.send(202, 'Accepted', {}, (err: unknown, accept: Srf.SipMessage) => {
          if (err) return sent.reject(err)
          seen.push(counts())
          // as apps do on drachtio-server: a NOTIFY built on the REFER (RFC 3515 §2.4.4)
          const notify = (state: string, frag: string) => requestOut(srf, req.getParsedHeader('Contact')[0].uri, {
            method: 'NOTIFY',
            headers: {
              'Call-ID': req.get('Call-ID'), From: accept.get('To'), To: req.get('From'),
              Event: `refer;id=${req.get('CSeq').split(' ')[0]}`, 'Subscription-State': state, 'Content-Type': SIPFRAG,
            },
            body: `SIP/2.0 ${frag}\r\n`,
          })
          void (async () => {
            await notify('active;expires=60', '100 Trying')
            seen.push(counts())
            await notify('terminated;reason=noresource', '200 OK')
            seen.push(counts())
            sent.resolve()
          })().catch(sent.reject)
        })
      }),
    )

    const r = await runSipp({ scenario: 'uac-refer-expect-notify.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true, recvTimeoutMs: unanswered() })

    if (h().server === ServerUnderTest.DrachtioServer) return expectDropped(r, referred)
    expectOk(r, 'referrer (checks Event: refer, message/sipfrag, the substates)')
    await within(sent.promise, 1000, 'both NOTIFYs')
    const [accept] = messagesOf(r.messages, /^SIP\/2\.0 202 /)
    const notifies = messagesOf(r.messages, /^NOTIFY /)
    expect(notifies).toHaveLength(2)
    for (const n of notifies) {
      expect(headerOf(n, 'Call-ID')).toBe(headerOf(accept, 'Call-ID'))
      expect(tagOf(headerOf(n, 'From'))).toBe(tagOf(headerOf(accept, 'To')))
      expect(tagOf(headerOf(n, 'To'))).toBe(tagOf(headerOf(accept, 'From')))
    }
    if (h().server === ServerUnderTest.Embedded) {
      // the 202 made a dialog for the implicit subscription; the terminated NOTIFY's 200 ended it
      expect(seen).toEqual([{ dialogs: 1, subscriptions: 1 }, { dialogs: 1, subscriptions: 1 }, { dialogs: 0, subscriptions: 0 }])
    }
  })

  it('outside a dialog, the app refers the far end: the NOTIFYs reach the app (in the engine\'s dialog; as new requests on drachtio-server)', async () => {
    const notifies: Srf.SrfRequest[] = []
    const done = deferred()
    const srf = await h().connectSrf((app) =>
      route(app, 'notify', (req, res) => {
        notifies.push(req)
        res.send(200)
        if (/^terminated/.test(req.get('Subscription-State'))) done.resolve()
      }),
    )
    const b = await startSipp({ scenario: 'uas-refer-send-notify.xml', transport, ports: h().ports, traceMessages: true })
    await b.ready

    const { req, res } = await requestOut(srf, sippUri(b.localPort, transport), {
      // a REFER makes a dialog, so it carries a Contact (RFC 3261 §8.1.1.8); drachtio-server adds none to a REFER
      method: 'REFER', headers: { 'Refer-To': `<sip:carol@127.0.0.1:${b.localPort}>`, From: '<sip:service@localhost>', Contact: '<sip:service@localhost>' },
    })
    expect(res.status).toBe(202)
    await within(done.promise, 2000, 'the terminated NOTIFY')

    expectOk(await b.done, 'referee (checks Refer-To)')
    expect(notifies.map((n) => n.get('Subscription-State'))).toEqual(['active;expires=60', 'terminated;reason=noresource'])
    expect(notifies.map((n) => n.body.trim())).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 200 OK'])
    const ourTag = req.getParsedHeader('From').params?.tag
    if (h().server === ServerUnderTest.Embedded) {
      // RFC 3515 §2.4.4: the 202 created a dialog for the implicit subscription
      expect(notifies.map(dialogIdOfRequest)).toEqual(Array(2).fill(`${req.get('Call-ID')};from-tag=${ourTag}`))
    } else {
      // drachtio-server keeps no dialog for a REFER outside one: routed like new requests
      expect(notifies.map(dialogIdOfRequest)).toEqual(['', ''])
    }
  })

  it('Refer-Sub: false (RFC 4488): the 202 says so and no subscription or dialog is kept (drachtio-server drops a REFER outside a dialog)', async () => {
    const after = deferred<Counts | null>()
    let referred = false
    await h().connectSrf((srf) =>
      route(srf, 'refer', (req, res) => {
        referred = true
        expect(req.get('Refer-Sub')).toBe('false')
        res.send(202, 'Accepted', { headers: { 'Refer-Sub': 'false' } }, () => after.resolve(counts()))
      }),
    )

    const r = await runSipp({ scenario: 'uac-refer-norefersub.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true, recvTimeoutMs: unanswered() })

    if (h().server === ServerUnderTest.DrachtioServer) return expectDropped(r, referred)
    expectOk(r, 'referrer (expects Refer-Sub: false in the 202)')
    const c = await within(after.promise, 1000, 'the 202 echo')
    if (c) expect(c).toEqual({ dialogs: 0, subscriptions: 0 })
    expect(messagesOf(r.messages, /^NOTIFY /)).toHaveLength(0)
  })
})
