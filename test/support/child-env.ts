/**
 * The environment of a livecall process a test starts (`src/main.ts`, `src/engine/cli.ts`):
 * what the operating system needs to run node, plus exactly the variables the test names.
 *
 * Nothing of the test runner's own environment reaches the child: a suite run with
 * `DRACHTIO_HOST=…` (the engine harness's external-server mode) or `SIP_PORT=…` must not
 * turn a test of the embedded shape into one of the production shape. Nor do vitest's
 * `NODE_ENV=test` / `VITEST*`, so the child behaves as `npm start` does for a user.
 */
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'] as const

export function childEnv(vars: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of PASSED_THROUGH) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return { ...env, ...vars }
}
