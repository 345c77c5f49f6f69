import { Type, type Static } from '@sinclair/typebox'

const Port = Type.Integer({ minimum: 1, maximum: 65535 })
const Host = Type.String({ minLength: 1 })

/** SPEC.md §2: every variable has a default; see README's configuration table. */
export const ConfigSchema = Type.Object({
  sipHost: Host,
  sipPort: Port,
  /** SIP over TLS (RFC 3261 §26.2): on when both SIP_TLS_CERT and SIP_TLS_KEY are set */
  sipTlsPort: Port,
  /** PEM certificate (chain) file */
  sipTlsCert: Type.Optional(Type.String({ minLength: 1 })),
  /** PEM private key file */
  sipTlsKey: Type.Optional(Type.String({ minLength: 1 })),
  /** outbound TLS certificate check: `none` (sofia's and drachtio-server's default) or `peer` */
  sipTlsVerify: Type.Union([Type.Literal('none'), Type.Literal('peer')]),
  /** PEM CA bundle for SIP_TLS_VERIFY=peer (default: Node's built-in CAs) */
  sipTlsCa: Type.Optional(Type.String({ minLength: 1 })),
  /** DNS servers for RFC 3263 resolution, `ip[:port]` comma-separated (default: the system's) */
  sipDnsServers: Type.Optional(Type.String({ minLength: 1 })),
  drachtioHost: Type.Optional(Host),
  drachtioPort: Port,
  drachtioSecret: Type.String({ minLength: 1 }),
  mediaEngine: Type.Union([Type.Literal('embedded'), Type.Literal('freeswitch')]),
  rtpHost: Host,
  rtpPortMin: Port,
  rtpPortMax: Port,
  /** the embedded engine's UDP layer: native batched I/O (built by npm install on Linux) or Node dgram */
  rtpIo: Type.Union([Type.Literal('auto'), Type.Literal('native'), Type.Literal('dgram')]),
  /** an answered call whose far end sends no RTP this long (not on hold) is hung up; 0 turns it off */
  rtpTimeoutS: Type.Integer({ minimum: 0, maximum: 86_400 }),
  freeswitchHost: Host,
  freeswitchPort: Port,
  freeswitchSecret: Type.String(),
  /** TCP port drachtio-fsmrf listens on for FreeSWITCH's outbound event socket (one connection per channel); 0 = OS-assigned */
  freeswitchListenPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** address that port is bound to; unset: the local address livecall reaches FreeSWITCH from */
  freeswitchListenHost: Type.Optional(Host),
  /** address FreeSWITCH connects back to (X-esl-outbound); unset: the bound address (set it behind NAT or in containers bound to 0.0.0.0) */
  freeswitchAdvertisedHost: Type.Optional(Host),
  httpHost: Host,
  httpPort: Type.Integer({ minimum: 0, maximum: 65535 }),
  /** where `dial` sends `phone` targets (SPEC §2) */
  sipTrunk: Type.Optional(Type.String({ pattern: '^sips?:[^\\s]+$' })),
  callHook: Type.Optional(Type.String({ pattern: '^https?://' })),
  callStatusHook: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** the request/document shape of CALL_HOOK: jambonz JSON, or TwiML/LaML/RCML (Twilio's form parameters, an XML answer) */
  callHookFormat: Type.Union([Type.Literal('jambonz'), Type.Literal('twiml')]),
  accountSid: Type.Optional(Type.String({ minLength: 1 })),
  apiKey: Type.Optional(Type.String({ minLength: 1 })),
  webhookSecret: Type.Optional(Type.String()),
  webhookTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000 }),
  /** where recordings (the record verb, live `record`) are written */
  recordingsDir: Type.String({ minLength: 1 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
})

export type Config = Static<typeof ConfigSchema>
