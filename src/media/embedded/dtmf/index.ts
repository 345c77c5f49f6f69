export {
  parseTelephoneEvent,
  encodeTelephoneEvent,
  buildDigitPackets,
  digitToEvent,
  eventToDigit,
  DTMF_DIGITS,
  type TelephoneEvent,
  type EncodeTelephoneEventInput,
  type DigitPacket,
  type DigitPacketOptions,
} from './telephone-event.js'
export { DtmfDetector, DtmfDetectorState, type DtmfDetectorOptions, type DtmfDetectorStats, type DigitListener } from './dtmf-detector.js'
export { collectDigits, type DigitSource } from './collect-digits.js'
