import type Srf from 'drachtio-srf'
import type { Logger } from 'pino'
import type { Call } from '../call/call.js'
import type { CallRegistry } from '../call/call-registry.js'
import type { MediaEngine } from '../media/types.js'
import type { ConferenceRooms } from './conference/conference-rooms.js'
import type { WebhookClient } from './webhook/index.js'

/** Settings the application layer reads (from Config; SPEC §2). */
export interface AppSettings {
  accountSid: string
  /** API_KEY: also the key XML applications' requests are signed with (X-Twilio-Signature) */
  apiKey?: string
  /** where `phone` targets go (SIP_TRUNK), e.g. `sip:trunk.example.net:5060` */
  sipTrunk?: string
  /** directory the `record` verb and call recordings write into */
  recordingsDir: string
  /** the greeting of the built-in demo app (CALL_HOOK unset) */
  demoGreeting: string
}

/** Everything the application layer needs, passed in (no globals; STYLE §8). */
export interface AppDeps {
  srf: Srf
  media: MediaEngine
  registry: CallRegistry
  webhooks: WebhookClient
  /** conference rooms across calls (the `conference` verb; live conf_mute_status / conf_hold_status) */
  conferences: ConferenceRooms
  settings: AppSettings
  logger: Logger
  /** every new call (inbound, or a dialed child) goes through here: registry, status hook, metrics */
  track(call: Call): void
}
