import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import { ConfigError } from '../errors/index.js'
import type { Config } from './schema.js'

/** The SIP over TLS settings the engine takes, files read. */
export interface SipTlsSettings {
  port: number
  credentials: { cert: Buffer; key: Buffer; verify: 'none' | 'peer'; ca?: Buffer }
}

type TlsConfig = Pick<Config, 'sipPort' | 'sipTlsPort' | 'sipTlsCert' | 'sipTlsKey' | 'sipTlsVerify' | 'sipTlsCa'>

/** Combinations of the SIP_TLS_* variables that cannot work, one line each. */
export function sipTlsProblems(config: TlsConfig): string[] {
  const problems: string[] = []
  if ((config.sipTlsCert === undefined) !== (config.sipTlsKey === undefined)) {
    problems.push('SIP_TLS_CERT and SIP_TLS_KEY go together: set both to turn SIP over TLS on, or neither')
  }
  if (config.sipTlsCa !== undefined && config.sipTlsVerify !== 'peer') {
    problems.push('SIP_TLS_CA is only used with SIP_TLS_VERIFY=peer')
  }
  if (config.sipTlsCert !== undefined && config.sipTlsPort === config.sipPort) {
    problems.push(`SIP_TLS_PORT (${config.sipTlsPort}) must differ from SIP_PORT, which TCP already listens on`)
  }
  return problems
}

/**
 * SIP over TLS as configured: undefined when off (no SIP_TLS_CERT), otherwise the port and
 * the PEM files read. Throws ConfigError naming the variable whose file cannot be read.
 */
export function readSipTls(config: TlsConfig): SipTlsSettings | undefined {
  if (config.sipTlsCert === undefined || config.sipTlsKey === undefined) return undefined
  const read = (variable: string, path: string): Buffer => {
    try {
      return readFileSync(path)
    } catch (err) {
      throw new ConfigError(`invalid configuration: ${variable}=${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    }
  }
  const credentials = {
    cert: read('SIP_TLS_CERT', config.sipTlsCert),
    key: read('SIP_TLS_KEY', config.sipTlsKey),
    verify: config.sipTlsVerify,
    ca: config.sipTlsCa === undefined ? undefined : read('SIP_TLS_CA', config.sipTlsCa),
  }
  try {
    createSecureContext({ cert: credentials.cert, key: credentials.key, ca: credentials.ca })
  } catch (err) {
    throw new ConfigError(`invalid configuration: SIP_TLS_CERT / SIP_TLS_KEY${credentials.ca ? ' / SIP_TLS_CA' : ''} are not a usable PEM certificate and matching key (${(err as Error).message})`)
  }
  return { port: config.sipTlsPort, credentials }
}
