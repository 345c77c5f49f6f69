import { it } from 'vitest'
import { testShape, type TestShape } from './test-shape.js'

/**
 * `it` for a test that checks something only one shape has (the embedded engine's RTP
 * timeout setting, …). In the other shape it is reported as skipped, with the reason in its
 * name; in the default embedded shape nothing is ever skipped.
 */
export function itOnlyIn(shape: TestShape, reason: string): (name: string, fn: () => Promise<void> | void, timeout?: number) => void {
  const skip = testShape.shape !== shape
  return (name, fn, timeout) => it.skipIf(skip)(skip ? `${name} [not run in the ${testShape.shape} shape: ${reason}]` : name, fn, timeout)
}
