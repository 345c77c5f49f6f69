import { answer } from './answer.js'
import { conference } from './conference.js'
import { dial } from './dial.js'
import { dtmf } from './dtmf.js'
import { gather } from './gather.js'
import { hangup } from './hangup.js'
import { listen } from './listen.js'
import { pause } from './pause.js'
import { play } from './play.js'
import { record } from './record.js'
import { redirect } from './redirect.js'
import { say } from './say.js'
import { sipDecline } from './sip-decline.js'
import { tag } from './tag.js'
import type { VerbDefinition } from './verb.js'

/** Every verb livecall runs (SPEC §4), by jambonz name. */
export const VERBS: ReadonlyMap<string, VerbDefinition<unknown>> = new Map(
  ([answer, conference, dial, dtmf, gather, hangup, listen, pause, play, record, redirect, say, sipDecline, tag] as Array<VerbDefinition<never>>).map((v) => [v.name, v as VerbDefinition<unknown>]),
)
