/**
 * The local address FreeSWITCH sees us from: where drachtio-fsmrf must listen for (and
 * advertise in X-esl-outbound) FreeSWITCH's outbound event-socket connections. Found by
 * opening a TCP connection to the event socket and reading its local end.
 */
import { connect } from 'node:net'

export function localAddressToward(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`FreeSWITCH event socket ${host}:${port} did not answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      const address = socket.localAddress
      socket.destroy()
      if (address) resolve(address.replace(/^::ffff:/, ''))
      else reject(new Error('no local address'))
    })
    socket.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
  })
}
