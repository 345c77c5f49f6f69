import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useLivecall } from '../../support/livecall-harness.js'
import { describeSipp, startSipp } from '../../support/sipp.js'
import { inProductionShape } from '../../support/test-shape.js'
import type { RecordedRequest } from '../../support/webhook-scaffold.js'

const RACE_CALLS = 300
const CANCEL_CALLS = 100
/**
 * calls per second of the crossing-BYE run. The production shape's FreeSWITCH carries
 * about 40 calls/s on this kind of box (issue 10, two sessions per call): the race is the
 * same at 20/s, it only takes longer.
 */
const RACE_RATE = inProductionShape ? 20 : 100
const CANCEL_RATE = inProductionShape ? 10 : 30

/**
 * The issue behind this test: a plain drachtio-srf application died at 80 calls/s on an
 * unhandled "unable to find dialog" rejection — a BYE of ours crossing the caller's.
 * livecall is driven at ~100 calls/s where every caller hangs up at the moment livecall
 * does (crossing BYEs, RFC 3261 §15.1), mixed with callers that CANCEL while their
 * application is being fetched or while it waits unanswered (RFC 3261 §9.2). The process
 * must not see a single unhandled rejection or uncaught exception, every call must
 * complete as SIPp expects, and nothing may be left behind once the transactions have
 * run out their timers.
 */
describe('load with crossing BYEs and CANCELs', () => {
  // UDP server transactions for BYE stay in Completed for Timer J (64·T1 = 32 s, RFC 3261 §17.2.2)
  // 100 calls/s need more RTP ports than the harness's default 100
  const h = useLivecall({ settleMs: 45_000, env: { RTP_PORT_MIN: '46000', RTP_PORT_MAX: '46999' } })
  const crashes: unknown[] = []
  const onCrash = (err: unknown): void => {
    crashes.push(err)
  }

  beforeEach(() => {
    process.on('unhandledRejection', onCrash)
    process.on('uncaughtException', onCrash)
  })
  afterEach(() => {
    process.off('unhandledRejection', onCrash)
    process.off('uncaughtException', onCrash)
  })

  it(`${RACE_CALLS} calls at ${RACE_RATE}/s whose caller BYE crosses livecall's, plus ${CANCEL_CALLS} CANCELs: no crash, every call completes, nothing left`, async () => {
    h().scaffold.route('/app', (req: RecordedRequest) =>
      req.body?.to === 'cancel'
        ? [{ verb: 'pause', length: 30 }] // unanswered until the caller gives up
        : [{ verb: 'answer' }, { verb: 'pause', length: 0.2 }, { verb: 'hangup' }],
    )
    const race = await startSipp({
      scenario: 'uac-invite-bye-race.xml',
      target: h().sipTarget,
      transport: 'udp',
      ports: h().ports,
      calls: RACE_CALLS,
      rate: RACE_RATE,
      limit: 200,
      service: 'race',
      pauseMs: 200, // the caller's BYE leaves as livecall's pause of 0.2 s ends
      timeoutS: 60,
    })
    // SIPp binds ports next to its -mp (RTP/RTCP): the second run picks its ports once the first has bound its own
    await race.ready
    const cancels = await startSipp({
      scenario: 'uac-cancel-after-100-expect-487.xml',
      target: h().sipTarget,
      transport: 'udp',
      ports: h().ports,
      calls: CANCEL_CALLS,
      rate: CANCEL_RATE,
      limit: 100,
      pauseMs: 50, // CANCEL 50 ms after the 100 Trying: while CALL_HOOK is fetched or the app waits
      service: 'cancel',
      timeoutS: 60,
    })
    const [r, c] = await Promise.all([race.done, cancels.done])
    expect(r.code, describeSipp(r)).toBe(0)
    expect(r.successful, describeSipp(r)).toBe(RACE_CALLS)
    expect(c.code, describeSipp(c)).toBe(0)
    expect(c.successful, describeSipp(c)).toBe(CANCEL_CALLS)

    await h().assertClean()
    expect(crashes.map((e) => String((e as Error)?.stack ?? e))).toEqual([])

    // what the application server saw: every call reported its end once
    const finals = h().scaffold.statusCallbacks().filter((s) => ['completed', 'canceled'].includes(s.body?.call_status))
    expect(finals).toHaveLength(RACE_CALLS + CANCEL_CALLS)
    expect(finals.filter((s) => s.body.call_status === 'canceled')).toHaveLength(CANCEL_CALLS)
  }, 180_000)
})
