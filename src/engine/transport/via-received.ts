import { isIP } from 'node:net'
import { formatVia, hostToAddress, parseVia, type SipRequest, type Via } from '../message/index.js'

/**
 * RFC 3261 §18.2.1 and RFC 3581 §4: stamp the top Via of a received request with
 * `received` (when the sent-by host is not the packet's source) and fill an empty `rport`.
 * Returns the address:port responses must go to (RFC 3581 §4 / RFC 3261 §18.2.2).
 * `topVia`, when the caller parsed it already, is that Via (it is updated in place).
 */
export function stampReceived(req: SipRequest, source: { address: string; port: number }, topVia?: Via): { address: string; port: number } {
  const idx = req.headers.findIndex((h) => h.name === 'via')
  if (idx < 0) return source
  const via = topVia ?? parseVia(req.headers[idx].value)
  const rport = via.params.has('rport')
  let changed = false
  const sentBy = hostToAddress(via.host)
  if (rport || sentBy !== source.address || !isIP(sentBy)) {
    if (via.params.get('received') !== source.address) {
      via.params.set('received', source.address)
      changed = true
    }
  }
  if (rport && via.params.get('rport') === null) {
    via.params.set('rport', String(source.port))
    changed = true
  }
  if (changed) req.headers[idx] = { name: 'via', value: formatVia(via) }
  return { address: source.address, port: rport ? source.port : (via.port ?? 5060) }
}
