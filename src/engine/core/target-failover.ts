import type { SipRequest } from '../message/index.js'
import type { TargetList } from '../dns/target-list.js'
import type { Peer } from '../transport/peer.js'

/**
 * What an out-of-dialog request needs to move on to its next target (RFC 3263 §4.3):
 * the targets, and how to build the same request for another one (same Call-ID, tags and
 * CSeq; a new Via branch, and Via/Contact for that target's transport).
 */
export interface TargetFailover {
  list: TargetList
  build(dest: Peer): SipRequest
  /** a provisional response came from the current target: it is alive, no failover after that */
  provisional: boolean
}
