import { readFile } from 'node:fs/promises'

/**
 * Datagrams the kernel dropped because a UDP socket's receive buffer was full.
 *
 * `socket`: the `drops` column of /proc/net/udp (and udp6) for sockets bound to `port`
 * (exact, per socket). `system`: RcvbufErrors of /proc/net/snmp (every UDP socket on the
 * box, so other programs' drops count too). Both are monotonic; compare two readings.
 */
export async function udpDrops(port: number): Promise<{ socket: number; system: number }> {
  let socket = 0
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 13) continue
      if (cols[1].split(':')[1] === hexPort) socket += Number(cols[cols.length - 1]) || 0
    }
  }
  const snmp = await readFile('/proc/net/snmp', 'utf8').catch(() => '')
  const udp = snmp.split('\n').filter((l) => l.startsWith('Udp:'))
  let system = 0
  if (udp.length >= 2) {
    const names = udp[0].split(/\s+/)
    const values = udp[1].split(/\s+/)
    system = Number(values[names.indexOf('RcvbufErrors')]) || 0
  }
  return { socket, system }
}
