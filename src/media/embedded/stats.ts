/**
 * Packet counters. Each endpoint has its own (plain numeric fields: incrementing them is
 * the hot path, one object per endpoint); the engine's totals are the sum over its live
 * endpoints plus what closed ones had (`addTo` on close), computed when asked, so a
 * packet never touches a second, engine-wide counter object.
 */
export class MediaCounters {
  packetsReceived = 0
  bytesReceived = 0
  packetsSent = 0
  bytesSent = 0
  /** relayed to the bridged endpoint */
  packetsRelayed = 0
  /** of which PCMU↔PCMA transcoded */
  packetsTranscoded = 0
  /** RTCP packets read and discarded (port+1, or muxed on the RTP port) */
  rtcpDrained = 0
  /** not RTP at all: too short, version ≠ 2, header running past the end */
  droppedMalformed = 0
  /** a payload type we did not negotiate */
  droppedPayloadType = 0
  /** from an address other than the latched one (RFC 4961 symmetric RTP) */
  droppedUnexpectedSource = 0
  /** received while the negotiated direction says the far end must not send */
  droppedNotReceiving = 0
  /** arrived before any remote SDP was known */
  droppedNoRemote = 0
  /** socket send errors */
  sendErrors = 0

  /** Add every counter of this object to `into` (engine totals). */
  addTo(into: MediaCounters): void {
    into.packetsReceived += this.packetsReceived
    into.bytesReceived += this.bytesReceived
    into.packetsSent += this.packetsSent
    into.bytesSent += this.bytesSent
    into.packetsRelayed += this.packetsRelayed
    into.packetsTranscoded += this.packetsTranscoded
    into.rtcpDrained += this.rtcpDrained
    into.droppedMalformed += this.droppedMalformed
    into.droppedPayloadType += this.droppedPayloadType
    into.droppedUnexpectedSource += this.droppedUnexpectedSource
    into.droppedNotReceiving += this.droppedNotReceiving
    into.droppedNoRemote += this.droppedNoRemote
    into.sendErrors += this.sendErrors
  }

  /** Copy (for `stats()`): a snapshot the caller may keep. */
  snapshot(): MediaCountersSnapshot {
    return {
      packetsReceived: this.packetsReceived,
      bytesReceived: this.bytesReceived,
      packetsSent: this.packetsSent,
      bytesSent: this.bytesSent,
      packetsRelayed: this.packetsRelayed,
      packetsTranscoded: this.packetsTranscoded,
      rtcpDrained: this.rtcpDrained,
      dropped: {
        malformed: this.droppedMalformed,
        payloadType: this.droppedPayloadType,
        unexpectedSource: this.droppedUnexpectedSource,
        notReceiving: this.droppedNotReceiving,
        noRemote: this.droppedNoRemote,
      },
      sendErrors: this.sendErrors,
    }
  }
}

export interface MediaCountersSnapshot {
  packetsReceived: number
  bytesReceived: number
  packetsSent: number
  bytesSent: number
  packetsRelayed: number
  packetsTranscoded: number
  rtcpDrained: number
  dropped: {
    malformed: number
    payloadType: number
    unexpectedSource: number
    notReceiving: number
    noRemote: number
  }
  sendErrors: number
}
