import dgram from 'node:dgram'

/** Receive buffer asked for each RTP socket (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 256 * 1024

/**
 * IP literals need no resolver: answering synchronously saves dns.lookup's nextTick and
 * allocation on every send (the relay sends ~50 packets/s per endpoint).
 */
function literalLookup(
  address: string,
  _family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  callback(null, address, 4)
}

export interface RtpSocketPair {
  rtp: dgram.Socket
  rtcp: dgram.Socket
  close(): void
}

function bindOne(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: 'udp4', lookup: literalLookup as never, recvBufferSize: RECV_BUFFER_BYTES })
    const onError = (err: Error): void => {
      socket.close()
      reject(err)
    }
    socket.once('error', onError)
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', onError)
      resolve(socket)
    })
  })
}

/**
 * Bind RTP on `port` and RTCP on `port + 1` (RFC 3550 §11). Fails (and closes what it
 * opened) when either is taken, so the allocator can move on to the next pair.
 */
export async function bindRtpSocketPair(host: string, port: number): Promise<RtpSocketPair> {
  const rtp = await bindOne(host, port)
  let rtcp: dgram.Socket
  try {
    rtcp = await bindOne(host, port + 1)
  } catch (err) {
    rtp.close()
    throw err
  }
  return {
    rtp,
    rtcp,
    close() {
      for (const s of [rtp, rtcp]) {
        try {
          s.close()
        } catch {
          /* already closed */
        }
      }
    },
  }
}
