import type { MediaEndpoint } from '../media/types.js'

/** Did the far end put us on hold (its re-INVITE offered a=sendonly / a=inactive, RFC 3264 §8.4)? */
export enum FarEndHold {
  Active = 'active',
  Held = 'held',
}

/** Live control's mute of this party (SPEC §5 mute_status). */
export enum ApiMute {
  Unmuted = 'unmuted',
  Muted = 'muted',
}

/**
 * Whether what this party says reaches the other party. Several independent reasons can
 * silence it — each its own enum, never a cluster of flags — and the endpoint's
 * 'receive' mute is derived from all of them in one place, so lifting one reason (an
 * unhold) never undoes another (an API mute).
 */
export class PartyAudio {
  private farEnd = FarEndHold.Active
  private mute = ApiMute.Unmuted

  constructor(private readonly endpoint: MediaEndpoint) {}

  get farEndHold(): FarEndHold {
    return this.farEnd
  }

  get apiMute(): ApiMute {
    return this.mute
  }

  async setFarEndHold(state: FarEndHold): Promise<void> {
    this.farEnd = state
    await this.apply()
  }

  async setApiMute(state: ApiMute): Promise<void> {
    this.mute = state
    await this.apply()
  }

  /** the other party hears this one only when no reason silences it */
  private async apply(): Promise<void> {
    if (this.endpoint.closed) return
    const silenced = this.farEnd === FarEndHold.Held || this.mute === ApiMute.Muted
    if (silenced) await this.endpoint.mute('receive')
    else await this.endpoint.unmute('receive')
  }
}
