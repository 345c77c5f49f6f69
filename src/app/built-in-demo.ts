import type { VerbStep } from './verbs/verb.js'
import { hangup } from './verbs/hangup.js'
import { say } from './verbs/say.js'

/** SPEC §2, CALL_HOOK unset: the built-in application answers, speaks a greeting and hangs up. */
export function demoApplication(greeting: string): VerbStep[] {
  return [
    { name: 'say', opts: say.parse({ text: greeting }), definition: say as never },
    { name: 'hangup', opts: hangup.parse({}), definition: hangup as never },
  ]
}
