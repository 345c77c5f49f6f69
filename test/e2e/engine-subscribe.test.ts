import type Srf from 'drachtio-srf'
import { describe, expect, it } from 'vitest'
import { deferred, ServerUnderTest, within } from '../support/engine-harness.js'
import { useEngineHarness } from '../support/use-engine-harness.js'
import { runSipp, startSipp } from '../support/sipp.js'
import { acceptSubscribe, answersTo, dialogIdOfRequest, expectOk, headerOf, messagesOf, notifyIn, route, sippUri, sleep, subscribeTo, tagOf, waitFor, type SrfDialog } from '../support/subscription-app.js'

const PIDF = {
  type: 'application/pidf+xml',
  text: '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:service@127.0.0.1"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>',
}
/**
 * What the notifier gets for a NOTIFY with `Subscription-State: terminated` in a subscription
 * dialog: the app's 200 on the engine; drachtio-server v0.9.10 clears the dialog while the
 * request is still open and sofia answers 500 itself (the app's 200 then gets NOK).
 */
const finalNotifyAnswer = (server: ServerUnderTest): string => (server === ServerUnderTest.Embedded ? '200' : '500')
/** how long after its expiry the engine ends an unrefreshed subscription, in these tests */
const GRACE_MS = 300

/**
 * RFC 6665 SUBSCRIBE/NOTIFY dialogs through drachtio-srf, either way, as drachtio-server
 * keeps them: the 2xx to a SUBSCRIBE creates the dialog (its id in the echo and on every
 * response), NOTIFYs go in it, and a NOTIFY with `Subscription-State: terminated` ends it.
 * The engine also ends a subscription that expired without a refresh (drachtio-server
 * leaves that to the app).
 */
describe.each(['udp', 'tcp'] as const)('engine: SUBSCRIBE/NOTIFY dialogs over %s', (transport) => {
  const h = useEngineHarness({ engineOptions: () => ({ subscriptionGraceMs: GRACE_MS }) })

  it('notifier: createUAS answers 202 with Contact and Expires, the app\'s NOTIFYs go in the dialog, and the terminating one ends it', async () => {
    const accepted = deferred<SrfDialog>()
    const during = deferred<{ dialogs: number; subscriptions: number } | null>()
    const ended = deferred<Srf.SrfResponse>()
    await h().connectSrf((srf) =>
      route(srf, 'subscribe', (req, res) => {
        acceptSubscribe(srf, req, res, { Expires: '3600' }).then(async (dlg) => {
          accepted.resolve(dlg)
          const first = await notifyIn(dlg, 'presence', 'active;expires=3600', PIDF)
          expect(first.status).toBe(200)
          const c = h().engine?.counts()
          during.resolve(c ? { dialogs: c.dialogs, subscriptions: c.subscriptions } : null)
          await dlg.destroy() // srf: NOTIFY with Subscription-State: terminated
          ended.resolve(first)
        }).catch((err: unknown) => accepted.reject(err))
      }),
    )

    const r = await runSipp({ scenario: 'uac-subscribe-expect-notify.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true })

    expectOk(r, 'subscriber')
    const dlg = await within(accepted.promise, 1000, 'createUAS to resolve')
    expect(dlg.dialogType).toBe('SUBSCRIBE')
    expect(dlg.subscribeEvent).toBe('presence')
    expect(dlg.id).toMatch(/;from-tag=\d+SIPpTag00\d+$/)
    const [accept] = messagesOf(r.messages, /^SIP\/2\.0 202 /)
    expect(headerOf(accept, 'Expires')).toBe('3600')
    expect(headerOf(accept, 'Contact')).toMatch(/^<sip:/)
    const notifies = messagesOf(r.messages, /^NOTIFY /)
    expect(notifies.map((n) => headerOf(n, 'Subscription-State'))).toEqual(['active;expires=3600', 'terminated'])
    expect(notifies.map((n) => headerOf(n, 'Event'))).toEqual(['presence', 'presence'])
    // in the dialog: the subscriber's tag in To, the 202's tag in From (RFC 3261 §12.2.1.1)
    expect(headerOf(notifies[0], 'To')).toMatch(/tag=\d+SIPpTag00/)
    expect(tagOf(headerOf(notifies[0], 'From'))).toBe(tagOf(headerOf(accept, 'To')))
    await within(ended.promise, 1000, 'the final NOTIFY to be sent')
    const c = await during.promise
    if (c) expect(c).toEqual({ dialogs: 1, subscriptions: 1 })
    if (h().engine) await waitFor(() => h().engine!.counts().dialogs === 0, 1000, 'the dialog to end at the final NOTIFY\'s 200')
  })

  it('notifier: a refresh reaches the dialog as `subscribe`, Expires: 0 as `unsubscribe`, and the final NOTIFY ends it', async () => {
    const events: string[] = []
    const gone = deferred()
    await h().connectSrf((srf) =>
      route(srf, 'subscribe', (req, res) => {
        void acceptSubscribe(srf, req, res, { Expires: '3600' }).then(async (dlg) => {
          dlg.on('subscribe', (r: Srf.SrfRequest, s: Srf.SrfResponse) => {
            events.push(`subscribe ${r.get('Expires')}`)
            s.send(202, { headers: { Expires: r.get('Expires') } })
            void notifyIn(dlg, 'presence', 'active;expires=3600', PIDF)
          })
          dlg.on('unsubscribe', () => {
            events.push('unsubscribe')
            void dlg.destroy().then(() => gone.resolve(), gone.reject)
          })
          await notifyIn(dlg, 'presence', 'active;expires=3600', PIDF)
        })
      }),
    )

    const r = await runSipp({
      scenario: 'uac-subscribe-refresh-unsubscribe.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true, pauseMs: 300,
    })

    expectOk(r, 'subscriber (refreshes, then unsubscribes)')
    await within(gone.promise, 1000, 'the final NOTIFY')
    expect(events).toEqual(['subscribe 3600', 'unsubscribe'])
    expect(messagesOf(r.messages, /^SIP\/2\.0 202 /)).toHaveLength(3)
    expect(messagesOf(r.messages, /^NOTIFY /).map((n) => headerOf(n, 'Subscription-State')))
      .toEqual(['active;expires=3600', 'active;expires=3600', 'terminated'])
  })

  it('notifier: a subscription that expires unrefreshed ends its dialog on the engine; drachtio-server keeps it for the app\'s late NOTIFY', async () => {
    const late = deferred<unknown>()
    await h().connectSrf((srf) =>
      route(srf, 'subscribe', (req, res) => {
        void acceptSubscribe(srf, req, res, { Expires: '1' }).then(async (dlg) => {
          await notifyIn(dlg, 'presence', 'active;expires=1', PIDF)
          await sleep(1000 + GRACE_MS + 500)
          // RFC 6665 §4.1.3 `timeout`: the notifier ends an expired subscription with a final NOTIFY
          dlg.destroy().then(() => late.resolve('sent'), late.resolve)
        })
      }),
    )

    const r = await runSipp({ scenario: 'uac-subscribe-let-expire.xml', target: h().sipTarget, transport, ports: h().ports, traceMessages: true })

    expectOk(r, 'subscriber (never refreshes)')
    const outcome = await within(late.promise, 2000, 'the late NOTIFY attempt')
    const notifies = messagesOf(r.messages, /^NOTIFY /)
    if (h().server === ServerUnderTest.Embedded) {
      // RFC 6665 §4.1.2.1: the subscription, and so its dialog, ended at expiry (+ grace)
      expect(outcome).toBeInstanceOf(Error)
      expect((outcome as Error).message).toMatch(/unable to find dialog/)
      expect(notifies).toHaveLength(1)
    } else {
      // drachtio-server keeps the dialog until a terminating NOTIFY
      expect(outcome).toBe('sent')
      expect(notifies).toHaveLength(2)
    }
  })

  it('subscriber: createUAC SUBSCRIBE resolves on the 200, NOTIFYs reach the dialog as `notify`, the terminating one ends it', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({ scenario: 'uas-subscribe-send-notify.xml', transport, ports: h().ports, traceMessages: true, pauseMs: 300 })
    await uas.ready
    const states: string[] = []
    const destroyed = deferred()

    // MWI-style: subscribing to one's own AoR (From user@host = To user@host), which is how
    // srf's Dialog matches the terminating NOTIFY to its subscription
    const dlg = await subscribeTo(srf, sippUri(uas.localPort, transport), { From: '<sip:service@localhost>', Event: 'presence', Expires: '3600', Accept: 'application/pidf+xml' })
    dlg.on('notify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      states.push(req.get('Subscription-State'))
      res.send(200)
    })
    dlg.on('destroy', () => destroyed.resolve())
    expect(dlg.dialogType).toBe('SUBSCRIBE')
    expect(dlg.id).toBe(`${dlg.sip.callId};from-tag=${dlg.sip.localTag}`)
    await sleep(100)
    if (h().engine) expect(h().engine!.counts()).toMatchObject({ dialogs: 1, subscriptions: 1 })

    const r = await uas.done
    expectOk(r, 'notifier (checks Event, Expires and Contact of the SUBSCRIBE)')
    await within(destroyed.promise, 1000, 'the dialog\'s destroy on the terminating NOTIFY')
    expect(states).toEqual(['active;expires=3600', 'terminated;reason=noresource'])
    expect(answersTo(r.messages, 'NOTIFY')).toEqual(['200', finalNotifyAnswer(h().server)])
    const [subscribe] = messagesOf(r.messages, /^SUBSCRIBE /)
    expect(headerOf(subscribe, 'Contact')).toMatch(/^<sip:/)
    if (h().engine) await waitFor(() => h().engine!.counts().dialogs === 0, 1000, 'the dialog to end at the terminating NOTIFY')
  })

  it('subscriber: the app refreshes in the dialog, un-subscribes with Expires: 0, and the notifier\'s final NOTIFY ends the dialog', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({
      scenario: 'uas-subscribe-expect-refresh-unsubscribe.xml', transport, ports: h().ports, traceMessages: true, pauseMs: 200,
    })
    await uas.ready
    const dlg = await subscribeTo(srf, sippUri(uas.localPort, transport), { From: '<sip:service@localhost>', Event: 'presence', Expires: '3600' })
    const states: string[] = []
    const answers: number[] = []
    const destroyed = deferred()
    dlg.on('destroy', () => destroyed.resolve())
    dlg.on('notify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      const state = req.get('Subscription-State')
      states.push(state)
      res.send(200)
      // RFC 6665 §4.1.2.2 refresh, then §4.1.2.3 un-subscribe
      const expires = state === 'active;expires=3600' ? '600' : state === 'active;expires=600' ? '0' : undefined
      if (expires) void dlg.request({ method: 'SUBSCRIBE', headers: { Event: 'presence', Expires: expires } }).then((r) => answers.push(r.status))
    })

    const r = await uas.done
    expectOk(r, 'notifier (expects the refresh with Expires: 600, then Expires: 0)')
    await within(destroyed.promise, 1000, 'the dialog\'s destroy on the final NOTIFY')
    expect(states).toEqual(['active;expires=3600', 'active;expires=600', 'terminated;reason=timeout'])
    expect(answers).toEqual([200, 200])
    expect(answersTo(r.messages, 'NOTIFY')).toEqual(['200', '200', finalNotifyAnswer(h().server)])
    const subscribes = messagesOf(r.messages, /^SUBSCRIBE /)
    expect(subscribes.map((m) => headerOf(m, 'Expires'))).toEqual(['3600', '600', '0'])
    expect(new Set(subscribes.map((m) => headerOf(m, 'Call-ID'))).size).toBe(1)
    expect(subscribes.slice(1).every((m) => /;tag=/.test(headerOf(m, 'To') ?? ''))).toBe(true)
    if (h().engine) await waitFor(() => h().engine!.counts().dialogs === 0, 1000, 'the dialog to end at the final NOTIFY')
  })

  it('subscriber: a subscription granted for 1 s and never refreshed ends at expiry on the engine (a later NOTIFY gets 481); drachtio-server keeps it', async () => {
    const srf = await h().connectSrf()
    const uas = await startSipp({
      scenario: 'uas-subscribe-expire-late-notify.xml', transport, ports: h().ports, traceMessages: true, pauseMs: 1000 + GRACE_MS + 700,
    })
    await uas.ready
    const dlg = await subscribeTo(srf, sippUri(uas.localPort, transport), { From: '<sip:service@localhost>', Event: 'presence', Expires: '1' })
    const seen: string[] = [] // terminating NOTIFYs that reached the app
    dlg.on('notify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      if (/^terminated/.test(req.get('Subscription-State'))) seen.push(req.get('Subscription-State'))
      res.send(200)
    })

    const r = await uas.done
    expectOk(r, 'notifier (NOTIFY terminated;reason=timeout after the expiry)')
    const toNotify = messagesOf(r.messages, /^SIP\/2\.0 \d{3} /).filter((m) => /NOTIFY/.test(headerOf(m, 'CSeq') ?? ''))
    const last = /^SIP\/2\.0 (\d{3})/.exec(toNotify[toNotify.length - 1])?.[1]
    if (h().server === ServerUnderTest.Embedded) {
      // RFC 6665 §4.1.2.1: the subscription is over at its expiration time (the 2xx's Expires)
      expect(last).toBe('481')
      expect(seen).toEqual([])
      expect(h().engine!.counts()).toMatchObject({ dialogs: 0, subscriptions: 0 })
    } else {
      // drachtio-server has no expiry of its own: the late NOTIFY still reaches the app's dialog
      // (and, being a terminating one, gets sofia's 500)
      expect(seen).toEqual(['terminated;reason=timeout'])
      expect(last).toBe(finalNotifyAnswer(h().server))
    }
  })

  it('subscriber: a NOTIFY that overtakes the 200 goes to the app that routed notify as a new request, and the dialog still forms', async (ctx) => {
    // drachtio-server v0.9.10 (sofia-sip 8889faf, built by hand) dies when the app answers such a
    // NOTIFY that came over TCP (its irq was already destroyed); over UDP it answers 500 and the
    // app's 200 gets NOK. The TCP case is not run against it, so the rest of the suite still can be.
    if (h().server === ServerUnderTest.DrachtioServer && transport === 'tcp') ctx.skip()
    const early = deferred<Srf.SrfRequest>()
    const srf = await h().connectSrf((app) =>
      route(app, 'notify', (req, res) => {
        early.resolve(req)
        res.send(200)
      }),
    )
    const uas = await startSipp({ scenario: 'uas-subscribe-notify-before-200.xml', transport, ports: h().ports, traceMessages: true, pauseMs: 300 })
    await uas.ready
    const destroyed = deferred()
    const states: string[] = []

    const dlg = await subscribeTo(srf, sippUri(uas.localPort, transport), { From: '<sip:service@localhost>', Event: 'presence', Expires: '3600' })
    dlg.on('notify', (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
      states.push(req.get('Subscription-State'))
      res.send(200)
    })
    dlg.on('destroy', () => destroyed.resolve())
    const first = await within(early.promise, 1000, 'the early NOTIFY at the app')
    // drachtio-server: "received NOTIFY during invite-in-progress, routing as out-of-dialog"
    expect(first.get('Subscription-State')).toBe('active;expires=3600')
    expect(dialogIdOfRequest(first)).toBe('')

    const r = await uas.done
    expectOk(r, 'notifier (NOTIFY before its 200)')
    await within(destroyed.promise, 1000, 'the dialog\'s destroy on the terminating NOTIFY')
    expect(states).toEqual(['terminated;reason=noresource'])
    // drachtio-server answers the early NOTIFY 500 itself as well (the app's 200 gets NOK)
    expect(answersTo(r.messages, 'NOTIFY')).toEqual(Array(2).fill(finalNotifyAnswer(h().server)))
  })
})
