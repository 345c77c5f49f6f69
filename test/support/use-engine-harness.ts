import { afterAll, afterEach, beforeAll } from 'vitest'
import { EngineHarness, type EngineHarnessOptions } from './engine-harness.js'

/**
 * Vitest wiring: one server per test file (beforeAll), apps disconnected and leak checks
 * run after every test. Returns a getter for the harness.
 */
export function useEngineHarness(opts: EngineHarnessOptions = {}): () => EngineHarness {
  let harness: EngineHarness | undefined
  beforeAll(async () => {
    harness = await EngineHarness.start({ env: process.env, ...opts })
  })
  afterEach(async () => {
    if (!harness) return
    try {
      await harness.assertClean()
    } finally {
      harness.disconnectApps()
    }
    await harness.assertAppsGone()
  })
  afterAll(async () => {
    await harness?.stop()
  })
  return () => {
    if (!harness) throw new Error('engine harness not started (use it inside a test)')
    return harness
  }
}
