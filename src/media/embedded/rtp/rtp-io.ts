import type { DeadlineTimer } from '../deadline-timer.js'

/**
 * A received datagram: `packet` is only valid during the call (the native I/O reuses
 * its memory for the next batch), `address` is the IPv4 source as a number (ipv4.ts).
 */
export type PacketHandler = (packet: Uint8Array, address: number, port: number) => void

/** RTP on an even port, RTCP on the next odd one (RFC 3550 §11), as one unit. */
export interface RtpSocketPair {
  readonly port: number
  /** receive handlers; null drops (and the endpoint attaches its own at construction) */
  onRtp: PacketHandler | null
  onRtcp: PacketHandler | null
  /** a send failed after sendRtp returned (dgram reports some errors asynchronously) */
  onSendError: (() => void) | null
  /** Send on the RTP socket; false when the datagram could not be handed to the kernel. */
  sendRtp(packet: Uint8Array, address: number, port: number): boolean
  close(): void
}

/**
 * The UDP socket layer of the embedded media engine. Two implementations share it:
 * `native` (native/rtp_io.c: one epoll set, recvmmsg batches, µs deadline timer) and
 * `dgram` (Node's dgram sockets, any platform). Everything above — RTP, latching,
 * relay, prompts — is the same code on both.
 */
export interface RtpIo {
  readonly kind: RtpIoKind
  /** Bind RTP on `port` and RTCP on `port + 1`; rejects (having closed what it opened) when either is taken. */
  bindPair(host: string, port: number): Promise<RtpSocketPair>
  /** the pacer's wake-up source */
  readonly timer: DeadlineTimer
  close(): void
}

export type RtpIoKind = 'native' | 'dgram'
export type RtpIoChoice = RtpIoKind | 'auto'

/** Receive buffer asked for each RTP socket (the kernel caps it at net.core.rmem_max). */
export const RECV_BUFFER_BYTES = 256 * 1024
