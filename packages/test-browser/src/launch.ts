import { existsSync } from 'node:fs'
import { type Browser, type BrowserContext, chromium } from 'playwright-core'

/** Debian's chromium; playwright-core never downloads a browser here. */
export const chromiumPath = process.env.AUTOSYNC_CHROMIUM ?? '/usr/bin/chromium'

export const chromiumArguments = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface ChromiumSession {
  browser: Browser | undefined
  context: BrowserContext
  close(): Promise<void>
}

/**
 * Launches real Chromium. With `userDataDir` the profile persists on disk, so a second launch on the
 * same folder is a browser restart with the same IndexedDB.
 */
export async function launchChromium(options: { userDataDir?: string } = {}): Promise<ChromiumSession> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `[autosync] Chromium not found at ${chromiumPath}: apt-get install -y chromium (or set AUTOSYNC_CHROMIUM)`,
    )
  }
  const launchOptions = { executablePath: chromiumPath, args: chromiumArguments, headless: true }
  if (options.userDataDir) {
    const context = await chromium.launchPersistentContext(options.userDataDir, launchOptions)
    return { browser: undefined, context, close: () => context.close() }
  }
  const browser = await chromium.launch(launchOptions)
  const context = await browser.newContext()
  return {
    browser,
    context,
    close: async () => {
      await context.close().catch(() => {})
      await browser.close()
    },
  }
}
