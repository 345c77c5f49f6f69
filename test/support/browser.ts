import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

/** Debian's Chromium, installed by scripts/test.sh (playwright-core never downloads a browser). */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * Flags for this machine: root needs --no-sandbox; the rest keep Chromium from reaching
 * out to a network it does not have (docs/console.md).
 */
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--disable-extensions',
]

export interface HeadlessBrowser {
  context: BrowserContext
  close(): Promise<void>
}

/** Headless Chromium with a new empty profile; fails (never skips) when Chromium is missing. */
export async function launchChromium(): Promise<HeadlessBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the tests with npm test (scripts/test.sh installs Debian's chromium)`)
  const profile = await mkdtemp(join(tmpdir(), 'livecall-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 720 },
  })
  return {
    context,
    async close() {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    },
  }
}
