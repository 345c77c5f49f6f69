import { Value } from '@sinclair/typebox/value'
import { ConfigError } from '../errors/index.js'
import { ConfigSchema, type Config } from './schema.js'
import { sipDnsProblems } from './sip-dns.js'
import { sipTlsProblems } from './sip-tls.js'

type Env = Record<string, string | undefined>

/** variable name → [config key, default, kind] */
const VARIABLES: ReadonlyArray<[string, keyof Config, string | undefined, 'string' | 'int']> = [
  ['SIP_HOST', 'sipHost', '127.0.0.1', 'string'],
  ['SIP_PORT', 'sipPort', '5060', 'int'],
  ['SIP_TLS_PORT', 'sipTlsPort', '5061', 'int'],
  ['SIP_TLS_CERT', 'sipTlsCert', undefined, 'string'],
  ['SIP_TLS_KEY', 'sipTlsKey', undefined, 'string'],
  ['SIP_TLS_VERIFY', 'sipTlsVerify', 'none', 'string'],
  ['SIP_TLS_CA', 'sipTlsCa', undefined, 'string'],
  ['SIP_DNS_SERVERS', 'sipDnsServers', undefined, 'string'],
  ['DRACHTIO_HOST', 'drachtioHost', undefined, 'string'],
  ['DRACHTIO_PORT', 'drachtioPort', '9022', 'int'],
  ['DRACHTIO_SECRET', 'drachtioSecret', 'cymru', 'string'],
  ['MEDIA_ENGINE', 'mediaEngine', 'embedded', 'string'],
  ['RTP_HOST', 'rtpHost', '127.0.0.1', 'string'],
  ['RTP_PORT_MIN', 'rtpPortMin', '40000', 'int'],
  ['RTP_PORT_MAX', 'rtpPortMax', '49999', 'int'],
  ['RTP_IO', 'rtpIo', 'auto', 'string'],
  ['RTP_TIMEOUT_S', 'rtpTimeoutS', '60', 'int'],
  ['FREESWITCH_HOST', 'freeswitchHost', '127.0.0.1', 'string'],
  ['FREESWITCH_PORT', 'freeswitchPort', '8021', 'int'],
  ['FREESWITCH_SECRET', 'freeswitchSecret', 'ClueCon', 'string'],
  ['FREESWITCH_LISTEN_PORT', 'freeswitchListenPort', '8085', 'int'],
  ['FREESWITCH_LISTEN_HOST', 'freeswitchListenHost', undefined, 'string'],
  ['FREESWITCH_ADVERTISED_HOST', 'freeswitchAdvertisedHost', undefined, 'string'],
  ['HTTP_HOST', 'httpHost', '127.0.0.1', 'string'],
  ['HTTP_PORT', 'httpPort', '3000', 'int'],
  ['SIP_TRUNK', 'sipTrunk', undefined, 'string'],
  ['CALL_HOOK', 'callHook', undefined, 'string'],
  ['CALL_STATUS_HOOK', 'callStatusHook', undefined, 'string'],
  ['CALL_HOOK_FORMAT', 'callHookFormat', 'jambonz', 'string'],
  ['ACCOUNT_SID', 'accountSid', undefined, 'string'],
  ['API_KEY', 'apiKey', undefined, 'string'],
  ['WEBHOOK_SECRET', 'webhookSecret', undefined, 'string'],
  ['WEBHOOK_TIMEOUT_MS', 'webhookTimeoutMs', '5000', 'int'],
  ['RECORDINGS_DIR', 'recordingsDir', 'recordings', 'string'],
  ['LOG_LEVEL', 'logLevel', 'info', 'string'],
]

export const CONFIG_VARIABLES = VARIABLES.map(([name, , def]) => ({ name, default: def }))

/**
 * Pure: environment in, validated Config out. Throws ConfigError naming every bad
 * variable. The only place in livecall that knows environment variable names.
 */
export function loadConfig(env: Env): Config {
  const raw: Record<string, unknown> = {}
  const problems: string[] = []
  for (const [name, key, def, kind] of VARIABLES) {
    const text = (env[name] === '' ? undefined : env[name]) ?? def
    if (text === undefined) continue
    if (kind === 'int') {
      if (!/^\d+$/.test(text.trim())) {
        problems.push(`${name}=${JSON.stringify(text)} is not an integer`)
        continue
      }
      raw[key] = Number(text)
    } else {
      raw[key] = text
    }
  }
  if (problems.length === 0 && !Value.Check(ConfigSchema, raw)) {
    for (const e of Value.Errors(ConfigSchema, raw)) {
      const entry = VARIABLES.find(([, key]) => `/${key}` === e.path)
      problems.push(`${entry ? entry[0] : e.path}=${JSON.stringify(e.value)}: ${e.message}`)
    }
  }
  const config = raw as Config
  if (problems.length === 0 && config.rtpPortMin > config.rtpPortMax) {
    problems.push(`RTP_PORT_MIN (${config.rtpPortMin}) is above RTP_PORT_MAX (${config.rtpPortMax})`)
  }
  if (problems.length === 0 && config.freeswitchListenHost && /^(0\.0\.0\.0|::)$/.test(config.freeswitchListenHost) && !config.freeswitchAdvertisedHost) {
    problems.push(`FREESWITCH_LISTEN_HOST=${config.freeswitchListenHost} binds every address: set FREESWITCH_ADVERTISED_HOST to the one FreeSWITCH must connect back to`)
  }
  if (problems.length === 0) problems.push(...sipTlsProblems(config), ...sipDnsProblems(config))
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  return config
}
