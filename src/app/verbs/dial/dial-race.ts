import type { Call } from '../../../call/call.js'
import { CallState } from '../../../call/call-state.js'

export interface DialAttempt {
  call: Call
  answered: Promise<boolean>
}

/**
 * Simultaneous forking (jambonz dials every target at once): the first leg to answer
 * wins and the others are canceled; when none answers, the last final state is the
 * result. Aborting `signal` cancels every leg still ringing.
 */
export async function raceAttempts(attempts: DialAttempt[], signal: AbortSignal): Promise<{ winner?: Call; last?: Call }> {
  const cancelAll = (except?: Call) =>
    Promise.all(attempts.filter((a) => a.call !== except && !a.call.ended).map((a) => a.call.hangup({ reason: 'dial canceled', finalState: CallState.Canceled })))
  const onAbort = () => void cancelAll()
  signal.addEventListener('abort', onAbort, { once: true })
  try {
    let last: Call | undefined
    const winner = await new Promise<Call | undefined>((resolve) => {
      let pending = attempts.length
      for (const a of attempts) {
        void a.answered.then((ok) => {
          last = a.call
          if (ok) resolve(a.call)
          else if (--pending === 0) resolve(undefined)
        })
      }
    })
    if (winner) await cancelAll(winner)
    return { winner, last }
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
