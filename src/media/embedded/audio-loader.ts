import type { PlaySource } from '../types.js'

/**
 * Whole prompt as 8 kHz mono 16-bit PCM (the engine's default is audio/AudioLoader;
 * tests and embedders may pass their own).
 */
export type LoadAudio = (source: PlaySource, opts: { signal?: AbortSignal }) => Promise<Int16Array>
