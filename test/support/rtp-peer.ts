import dgram from 'node:dgram'
import { g711Decode, g711Encode, G711_PAYLOAD_TYPE, type G711Codec } from '../../src/media/embedded/codec/g711.js'
import { buildDigitPackets } from '../../src/media/embedded/dtmf/index.js'
import { buildRtpPacket, createRtpHeader, parseRtpHeader } from '../../src/media/embedded/rtp/rtp-packet.js'

/** What a peer sends every 20 ms. */
export type PeerPayload =
  /** a sine tone (default 1 kHz) */
  | { kind: 'tone'; freq?: number }
  /** every octet is this encoded value: a per-peer marker easy to recognise at the other end */
  | { kind: 'marker'; octet: number }

export interface RtpPeerOptions {
  codec?: G711Codec
  /** PT for audio; default the codec's static one */
  payloadType?: number
  /** PT for RFC 4733 events; default 101 */
  telephoneEventPt?: number
  payload?: PeerPayload
  host?: string
}

export interface ReceivedPacket {
  seq: number
  ts: number
  ssrc: number
  pt: number
  marker: boolean
  payload: Buffer
  /** monotonic ms */
  at: number
  from: { address: string; port: number }
}

export interface ContinuityReport {
  packets: number
  ssrcs: number[]
  /** consecutive packets whose seq did not go up by exactly 1 */
  seqJumps: Array<{ index: number; from: number; to: number }>
  /** consecutive audio packets whose ts advance differs from the arrival gap by more than the tolerance */
  tsJumps: Array<{ index: number; tsDeltaMs: number; arrivalDeltaMs: number }>
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6

/**
 * A real UDP RTP peer for tests: sends G.711 in 20 ms packets at real pace (deadlines
 * on the monotonic clock, so no drift), can send RFC 4733 digits (audio pauses during
 * the event, as phones do), and records everything it receives so tests can check who
 * is heard and that seq / ts / SSRC are continuous.
 */
export class RtpPeer {
  readonly codec: G711Codec
  readonly payloadType: number
  readonly telephoneEventPt: number
  readonly received: ReceivedPacket[] = []
  readonly ssrc = (Math.random() * 0xffffffff) >>> 0
  private seq = Math.floor(Math.random() * 0x10000)
  private ts = (Math.random() * 0xffffffff) >>> 0
  private remote: { address: string; port: number } | null = null
  private timer: NodeJS.Timeout | null = null
  private nextAt = 0
  private first = true
  private phase = 0
  private digits: Array<{ packets: ReturnType<typeof buildDigitPackets>; index: number; ts: number }> = []
  private payloadSpec: PeerPayload
  sent = 0

  private constructor(
    private readonly socket: dgram.Socket,
    opts: RtpPeerOptions,
  ) {
    this.codec = opts.codec ?? 'PCMU'
    this.payloadType = opts.payloadType ?? G711_PAYLOAD_TYPE[this.codec]
    this.telephoneEventPt = opts.telephoneEventPt ?? 101
    this.payloadSpec = opts.payload ?? { kind: 'tone', freq: 1000 }
    const header = createRtpHeader()
    socket.on('message', (msg, rinfo) => {
      if (!parseRtpHeader(msg, header)) return
      this.received.push({
        seq: header.sequenceNumber,
        ts: header.timestamp,
        ssrc: header.ssrc,
        pt: header.payloadType,
        marker: header.marker,
        payload: Buffer.from(msg.subarray(header.payloadOffset, header.payloadOffset + header.payloadLength)),
        at: nowMs(),
        from: { address: rinfo.address, port: rinfo.port },
      })
    })
  }

  static async create(opts: RtpPeerOptions = {}): Promise<RtpPeer> {
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, opts.host ?? '127.0.0.1', () => resolve())
    })
    return new RtpPeer(socket, opts)
  }

  get port(): number {
    return this.socket.address().port
  }

  get address(): string {
    return this.socket.address().address
  }

  /** An SDP offer for this peer: its codec first, then the other law, then telephone-event. */
  offer(opts: { direction?: string; codecs?: G711Codec[]; telephoneEvent?: boolean } = {}): string {
    const codecs = opts.codecs ?? [this.codec]
    const pts = codecs.map((c) => (c === this.codec ? this.payloadType : G711_PAYLOAD_TYPE[c]))
    const te = opts.telephoneEvent ?? true
    const lines = [
      'v=0',
      `o=peer 1 1 IN IP4 ${this.address}`,
      's=peer',
      `c=IN IP4 ${this.address}`,
      't=0 0',
      `m=audio ${this.port} RTP/AVP ${pts.join(' ')}${te ? ` ${this.telephoneEventPt}` : ''}`,
      ...codecs.map((c, i) => `a=rtpmap:${pts[i]} ${c}/8000`),
      ...(te ? [`a=rtpmap:${this.telephoneEventPt} telephone-event/8000`, `a=fmtp:${this.telephoneEventPt} 0-16`] : []),
      'a=ptime:20',
      `a=${opts.direction ?? 'sendrecv'}`,
    ]
    return lines.join('\r\n') + '\r\n'
  }

  /** Send to the m=audio address/port of `sdp` (the engine's SDP). */
  target(sdp: string): this {
    const port = Number(/^m=audio (\d+)/m.exec(sdp)?.[1])
    const address = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1] ?? '127.0.0.1'
    this.remote = { address, port }
    return this
  }

  setPayload(p: PeerPayload): void {
    this.payloadSpec = p
  }

  /** Start sending one packet every 20 ms, at real pace. */
  start(): this {
    if (this.timer) return this
    this.nextAt = nowMs()
    const loop = (): void => {
      const now = nowMs()
      while (now >= this.nextAt - 0.5) {
        this.tick()
        this.nextAt += 20
      }
      this.timer = setTimeout(loop, Math.max(0, Math.floor(this.nextAt - nowMs())))
    }
    loop()
    return this
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }

  /** Queue an RFC 4733 digit: sent in place of audio, from the next 20 ms tick. */
  sendDigit(digit: string, durationMs = 100): void {
    this.digits.push({ packets: buildDigitPackets(digit, { durationMs }), index: 0, ts: 0 })
  }

  /** One raw datagram to `to` (default: the engine). */
  sendRaw(buf: Uint8Array, to = this.remote): void {
    if (to) this.socket.send(buf, to.port, to.address)
  }

  private tick(): void {
    if (!this.remote) return
    const digit = this.digits[0]
    this.ts = (this.ts + 160) >>> 0
    if (digit) {
      if (digit.index === 0) digit.ts = this.ts
      const p = digit.packets[digit.index++]
      this.seq = (this.seq + 1) & 0xffff
      this.sendRaw(buildRtpPacket(p.marker, this.telephoneEventPt, this.seq, digit.ts, this.ssrc, p.payload))
      this.sent++
      if (digit.index >= digit.packets.length) this.digits.shift()
      return
    }
    this.seq = (this.seq + 1) & 0xffff
    this.sendRaw(buildRtpPacket(this.first, this.payloadType, this.seq, this.ts, this.ssrc, this.framePayload()))
    this.first = false
    this.sent++
  }

  private framePayload(): Uint8Array {
    const spec = this.payloadSpec
    if (spec.kind === 'marker') return new Uint8Array(160).fill(spec.octet)
    const pcm = new Int16Array(160)
    const f = spec.freq ?? 1000
    for (let i = 0; i < 160; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * f * (this.phase + i)) / 8000))
    this.phase = (this.phase + 160) % 8000
    return g711Encode(this.codec, pcm)
  }

  /** Received audio packets (telephone-events excluded). */
  audio(): ReceivedPacket[] {
    return this.received.filter((p) => p.pt !== this.telephoneEventPt)
  }

  /** Wait until `pred()` holds, polling every 10 ms; rejects after `timeoutMs`. */
  async waitFor(pred: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const until = nowMs() + timeoutMs
    while (!pred()) {
      if (nowMs() > until) throw new Error(`RtpPeer: timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  /** Decode received audio payloads of `packets` into linear PCM. */
  decode(packets: ReceivedPacket[], codec: G711Codec = this.codec): Int16Array {
    const total = packets.reduce((n, p) => n + p.payload.length, 0)
    const out = new Int16Array(total)
    let o = 0
    for (const p of packets) {
      g711Decode(codec, p.payload, 0, p.payload.length, out, o)
      o += p.payload.length
    }
    return out
  }

  /**
   * Seq must rise by exactly one packet to packet; one SSRC throughout; and the audio
   * timestamps must follow the arrival clock: a "ts jump" is a lasting shift of
   * (ts − arrival) by more than `toleranceMs`. Arrival jitter only ever delays packets,
   * so the shift is read on the upper envelope of the packets around it (300 ms each
   * side), which a late burst does not move.
   */
  continuity(packets: ReceivedPacket[] = this.received, toleranceMs = 15): ContinuityReport {
    const report: ContinuityReport = { packets: packets.length, ssrcs: [...new Set(packets.map((p) => p.ssrc))], seqJumps: [], tsJumps: [] }
    for (let i = 1; i < packets.length; i++) {
      const a = packets[i - 1]
      const b = packets[i]
      if (((b.seq - a.seq) & 0xffff) !== 1) report.seqJumps.push({ index: i, from: a.seq, to: b.seq })
    }
    const audio = packets.filter((p) => p.pt !== this.telephoneEventPt)
    if (audio.length < 2) return report
    // unwrap ts, offset = media time − arrival time
    const offsets: number[] = []
    let unwrapped = 0
    for (let i = 0; i < audio.length; i++) {
      if (i > 0) unwrapped += (audio[i].ts - audio[i - 1].ts) | 0
      offsets.push(unwrapped / 8 - (audio[i].at - audio[0].at))
    }
    // A jump is a step in (media time − arrival time) at one packet that persists: the two
    // packets' own ts and arrival deltas disagree, and the upper envelopes (max) of the
    // offsets just before and just after differ by as much. Arrival noise only ever delays
    // packets, i.e. lowers their offset: a stalled receiver, or a stalled sender catching up
    // with a burst, lowers the offsets of the packets in the stall but not the envelope of
    // a window that reaches past it (WINDOW packets = 300 ms). A real jump moves the
    // envelope. The first packets have no "before" to compare with.
    const WINDOW = 15
    const envelope = (xs: number[]) => Math.max(...xs)
    for (let i = 3; i < audio.length; i++) {
      const tsDeltaMs = ((audio[i].ts - audio[i - 1].ts) | 0) / 8
      const arrivalDeltaMs = audio[i].at - audio[i - 1].at
      if (Math.abs(tsDeltaMs - arrivalDeltaMs) <= toleranceMs) continue
      const before = envelope(offsets.slice(Math.max(0, i - WINDOW), i))
      const after = envelope(offsets.slice(i, i + WINDOW))
      if (Math.abs(after - before) > toleranceMs) report.tsJumps.push({ index: packets.indexOf(audio[i]), tsDeltaMs, arrivalDeltaMs })
    }
    return report
  }

  async close(): Promise<void> {
    this.stop()
    await new Promise<void>((resolve) => this.socket.close(() => resolve()))
  }
}

/** Power of `freq` in `pcm` relative to its total power (Goertzel), 0..1. */
export function toneRatio(pcm: Int16Array, freq: number, rate = 8000): number {
  const k = (2 * Math.cos((2 * Math.PI * freq) / rate))
  let s1 = 0
  let s2 = 0
  let energy = 0
  for (const x of pcm) {
    const s0 = x + k * s1 - s2
    s2 = s1
    s1 = s0
    energy += x * x
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2
  return energy === 0 ? 0 : (2 * power) / (pcm.length * energy)
}
