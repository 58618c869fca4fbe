import { fileURLToPath } from 'node:url'
import { type BundleServer, type ChromiumSession, launchChromium, serveBundle } from '@autosync/test-browser'
import type { Page } from 'playwright-core'
import type { Harness, HarnessOptions } from './pages/harness'

export type { Harness }
export const strictPolicy = "default-src 'self'; script-src 'self'; style-src 'self'"

export interface Fixture {
  session: ChromiumSession
  server: BundleServer
  close(): Promise<void>
}

/** One Chromium and one served harness page; `headers` lets a test serve it under a CSP. */
export async function startFixture(headers?: Record<string, string>): Promise<Fixture> {
  const page = fileURLToPath(new URL('./pages/harness.ts', import.meta.url))
  const server = await serveBundle({ entries: { page }, ...(headers ? { headers } : {}) })
  const session = await launchChromium()
  return {
    session,
    server,
    close: async () => {
      await session.close()
      await server.close()
    },
  }
}

/** Opens the harness page and sets up a fresh engine and panel in it. */
export async function openHarness(fixture: Fixture, options: HarnessOptions = {}): Promise<Page> {
  const page = await fixture.session.context.newPage()
  await page.setViewportSize({ width: 1100, height: 900 })
  await page.goto(fixture.server.url())
  await page.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
  await page.evaluate(
    (value) => (window as unknown as { setup(o: HarnessOptions): Promise<void> }).setup(value),
    options,
  )
  return page
}

/** Runs a function with the page's harness (through DevTools evaluation, which a page CSP does not block). */
export function inPage<R, A = undefined>(
  page: Page,
  callback: (harness: Harness, argument: A) => R | Promise<R>,
  argument?: A,
): Promise<R> {
  return page.evaluate(`(${callback.toString()})(window.harness, ${JSON.stringify(argument ?? null)})`) as Promise<R>
}

export const section = (page: Page, name: string) => page.locator(`[data-section="${name}"]`)
export const field = (page: Page, name: string) => page.locator(`[data-field="${name}"]`)
export const openPanel = (page: Page) => page.locator('button.toggle').click()
