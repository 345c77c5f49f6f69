/** RFC 3261 §17.1.1.1 and Table 4: the base timer values, configurable as in sofia/drachtio. */
export interface TimerValues {
  /** RTT estimate, 500 ms */
  T1: number
  /** maximum retransmit interval for non-INVITE requests and INVITE responses, 4 s */
  T2: number
  /** maximum duration a message remains in the network, 5 s */
  T4: number
}

export const DEFAULT_TIMERS: TimerValues = { T1: 500, T2: 4000, T4: 5000 }
