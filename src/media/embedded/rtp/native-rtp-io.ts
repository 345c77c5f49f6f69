import { createRequire } from 'node:module'
import type { Logger } from 'pino'
import type { DeadlineTimer } from '../deadline-timer.js'
import { ipv4ToNumber } from './ipv4.js'
import { RECV_BUFFER_BYTES, type PacketHandler, type RtpIo, type RtpSocketPair } from './rtp-io.js'

/** native/rtp_io.c as seen from here (see the API comment at its top). */
interface NativeBinding {
  open(arena: Uint8Array, meta: Uint32Array, onBatch: (count: number, timerFired: number) => void): unknown
  destroy(io: unknown): void
  bind(io: unknown, host: number, port: number, rcvbuf: number): number
  unbind(io: unknown, slot: number): void
  send(io: unknown, slot: number, bytes: Uint8Array, address: number, port: number): number
  armTimer(io: unknown, deadlineMs: number): number
  disarmTimer(io: unknown): void
  readonly BATCH: number
  readonly SLOT_BYTES: number
  readonly META_FIELDS: number
}

/** build/Release/livecall_rtp_io.node from the package root, or null when it was not built. */
export function loadNativeBinding(): NativeBinding | null {
  if (process.platform !== 'linux') return null
  try {
    return createRequire(import.meta.url)('../../../../build/Release/livecall_rtp_io.node') as NativeBinding
  } catch {
    return null
  }
}

/** errno → the name Node would give it, for the few a bind can meet. */
const ERRNO_CODES: Record<number, string> = { 98: 'EADDRINUSE', 99: 'EADDRNOTAVAIL', 13: 'EACCES', 24: 'EMFILE', 23: 'ENFILE', 22: 'EINVAL' }

function bindError(result: number, host: string, port: number): Error {
  const code = ERRNO_CODES[-result] ?? `errno ${-result}`
  return Object.assign(new Error(`bind ${code} ${host}:${port}`), { code, errno: result })
}

const EMPTY = new Uint8Array(0)
const TRUNCATED_FLAG = 0x80000000

/**
 * A pair's native slots are handed out again after it closes: a closed pair must never
 * touch them (sending, handlers, a second close), so everything checks `closed` first.
 */
class NativeSocketPair implements RtpSocketPair {
  onSendError: (() => void) | null = null
  private closed = false

  constructor(
    readonly port: number,
    private readonly io: NativeRtpIo,
    private readonly rtpSlot: number,
    private readonly rtcpSlot: number,
  ) {}

  set onRtp(handler: PacketHandler | null) {
    if (!this.closed) this.io.handlers[this.rtpSlot] = handler
  }

  get onRtp(): PacketHandler | null {
    return this.closed ? null : (this.io.handlers[this.rtpSlot] ?? null)
  }

  set onRtcp(handler: PacketHandler | null) {
    if (!this.closed) this.io.handlers[this.rtcpSlot] = handler
  }

  get onRtcp(): PacketHandler | null {
    return this.closed ? null : (this.io.handlers[this.rtcpSlot] ?? null)
  }

  sendRtp(packet: Uint8Array, address: number, port: number): boolean {
    return !this.closed && this.io.send(this.rtpSlot, packet, address, port)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.onSendError = null
    this.io.unbind(this.rtpSlot)
    this.io.unbind(this.rtcpSlot)
  }
}

/**
 * RtpIo on native/rtp_io.c: every socket in one epoll set read with recvmmsg into
 * `arena` (SLOT_BYTES per datagram), `meta` holding [slot, address, port, length] per
 * datagram, then ONE call of onBatch for the lot; sends are direct sendto() calls.
 * Packets handed to handlers are views into the arena, valid during the call only.
 */
export class NativeRtpIo implements RtpIo {
  readonly kind = 'native' as const
  /** receive handler per native slot (null: closed) */
  readonly handlers: (PacketHandler | null)[] = []
  readonly timer: DeadlineTimer
  private readonly arena: Buffer
  private readonly meta: Uint32Array
  private readonly handle: unknown
  private closed = false
  private timerCallback: (() => void) | null = null

  constructor(
    private readonly native: NativeBinding,
    private readonly logger: Logger,
  ) {
    this.arena = Buffer.allocUnsafeSlow(native.BATCH * native.SLOT_BYTES)
    this.meta = new Uint32Array(native.BATCH * native.META_FIELDS)
    this.handle = native.open(this.arena, this.meta, this.onBatch)
    this.timer = {
      arm: (deadlineMs, onFire) => {
        if (this.closed) return
        this.timerCallback = onFire
        native.armTimer(this.handle, deadlineMs)
      },
      cancel: () => {
        this.timerCallback = null
        if (!this.closed) native.disarmTimer(this.handle)
      },
    }
  }

  async bindPair(host: string, port: number): Promise<RtpSocketPair> {
    const address = ipv4ToNumber(host)
    if (address < 0) throw Object.assign(new Error(`RTP host ${host} is not an IPv4 address`), { code: 'EINVAL' })
    if (this.closed) throw Object.assign(new Error('RTP I/O is closed'), { code: 'ECANCELED' })
    const rtp = this.native.bind(this.handle, address, port, RECV_BUFFER_BYTES)
    if (rtp < 0) throw bindError(rtp, host, port)
    const rtcp = this.native.bind(this.handle, address, port + 1, RECV_BUFFER_BYTES)
    if (rtcp < 0) {
      this.native.unbind(this.handle, rtp)
      throw bindError(rtcp, host, port + 1)
    }
    this.handlers[rtp] = null
    this.handlers[rtcp] = null
    return new NativeSocketPair(port, this, rtp, rtcp)
  }

  send(slot: number, packet: Uint8Array, address: number, port: number): boolean {
    return !this.closed && this.native.send(this.handle, slot, packet, address, port) >= 0
  }

  unbind(slot: number): void {
    this.handlers[slot] = null
    if (!this.closed) this.native.unbind(this.handle, slot)
  }

  private readonly onBatch = (count: number, timerFired: number): void => {
    if (timerFired) {
      const fire = this.timerCallback
      this.timerCallback = null
      if (fire) this.guard(fire)
    }
    const meta = this.meta
    const arena = this.arena
    const slotBytes = this.native.SLOT_BYTES
    const fields = this.native.META_FIELDS
    for (let i = 0, m = 0; i < count; i++, m += fields) {
      const handler = this.handlers[meta[m]]
      if (!handler) continue // closed during this batch
      const length = meta[m + 3]
      const offset = i * slotBytes
      // a datagram longer than a slot was cut by the kernel: hand an empty packet (counted as malformed)
      const packet = length & TRUNCATED_FLAG ? EMPTY : new Uint8Array(arena.buffer, arena.byteOffset + offset, length)
      try {
        handler(packet, meta[m + 1], meta[m + 2])
      } catch (err) {
        this.logger.warn({ err }, 'RTP packet handler threw')
      }
    }
  }

  private guard(fn: () => void): void {
    try {
      fn()
    } catch (err) {
      this.logger.warn({ err }, 'RTP timer callback threw')
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.timerCallback = null
    this.handlers.length = 0
    this.native.destroy(this.handle)
  }
}
