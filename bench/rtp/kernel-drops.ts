import { readFileSync } from 'node:fs'

/**
 * UDP drops the kernel counted in this network namespace (/proc/net/snmp: RcvbufErrors =
 * a socket's receive buffer was full; SndbufErrors) and packets the per-CPU backlog
 * dropped (/proc/net/softnet_stat, 2nd column; loopback traffic goes through it). Read
 * before and after a run, the difference says whether a loss happened in the kernel
 * rather than in the engine.
 */
export interface KernelDrops {
  udpRcvbufErrors: number
  udpSndbufErrors: number
  udpInErrors: number
  softnetDropped: number
}

export function readKernelDrops(): KernelDrops {
  const out: KernelDrops = { udpRcvbufErrors: 0, udpSndbufErrors: 0, udpInErrors: 0, softnetDropped: 0 }
  try {
    const udp = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'))
    if (udp.length >= 2) {
      const names = udp[0].split(/\s+/)
      const values = udp[1].split(/\s+/).map(Number)
      const get = (name: string): number => values[names.indexOf(name)] ?? 0
      out.udpRcvbufErrors = get('RcvbufErrors')
      out.udpSndbufErrors = get('SndbufErrors')
      out.udpInErrors = get('InErrors')
    }
    for (const line of readFileSync('/proc/net/softnet_stat', 'utf8').trim().split('\n')) {
      out.softnetDropped += parseInt(line.split(/\s+/)[1] ?? '0', 16)
    }
  } catch {
    /* not Linux: zeros */
  }
  return out
}

export function diffKernelDrops(a: KernelDrops, b: KernelDrops): KernelDrops {
  return {
    udpRcvbufErrors: b.udpRcvbufErrors - a.udpRcvbufErrors,
    udpSndbufErrors: b.udpSndbufErrors - a.udpSndbufErrors,
    udpInErrors: b.udpInErrors - a.udpInErrors,
    softnetDropped: b.softnetDropped - a.softnetDropped,
  }
}
