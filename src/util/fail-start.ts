/**
 * For entry points only (main.ts, engine/cli.ts): a clear one-line reason on stderr and
 * exit code 1, instead of a stack trace, when start-up cannot go on.
 */
export function failStart(program: string, message: string, err?: unknown): never {
  const detail = err instanceof Error ? `: ${err.message}` : err === undefined ? '' : `: ${String(err)}`
  process.stderr.write(`${program}: ${message}${detail}\n`)
  process.exit(1)
}
