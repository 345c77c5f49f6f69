import { Dialog, dialogMatchKey } from './dialog.js'

/** Live dialogs, found by drachtio dialog id (app commands) or by Call-ID + tags (network). */
export class DialogTable {
  private readonly byId = new Map<string, Dialog>()
  private readonly byMatch = new Map<string, Dialog>()
  /** Call-ID → its dialogs (nearly always one), so an app's request is checked in O(1) */
  private readonly byCallId = new Map<string, Dialog[]>()

  /** `onRemove` runs once for each dialog that leaves the table. */
  constructor(private readonly onRemove: (d: Dialog) => void = () => {}) {}

  add(d: Dialog): void {
    this.byId.set(d.id, d)
    this.byMatch.set(d.matchKey, d)
    const same = this.byCallId.get(d.callId)
    if (same) same.push(d)
    else this.byCallId.set(d.callId, [d])
  }

  get(id: string): Dialog | undefined {
    return this.byId.get(id)
  }

  /** RFC 3261 §12.2.2: Call-ID, our tag (To of the request), their tag (From). */
  match(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.byMatch.get(dialogMatchKey(callId, localTag, remoteTag))
  }

  /** A live dialog with this Call-ID (the oldest one when there are several), if any. */
  hasCallId(callId: string): Dialog | undefined {
    return this.byCallId.get(callId)?.[0]
  }

  remove(d: Dialog): void {
    const wasLive = d.terminate()
    if (this.byId.get(d.id) === d) this.byId.delete(d.id)
    if (this.byMatch.get(d.matchKey) === d) this.byMatch.delete(d.matchKey)
    const same = this.byCallId.get(d.callId)
    if (same) {
      const i = same.indexOf(d)
      if (i >= 0) same.splice(i, 1)
      if (same.length === 0) this.byCallId.delete(d.callId)
    }
    if (wasLive) this.onRemove(d)
  }

  get size(): number {
    return this.byId.size
  }

  all(): Dialog[] {
    return [...this.byId.values()]
  }
}
