// Issue #23: a reload during a sync must never turn the replayed batch into dead letters. In real Chromium, a
// push reaches the reference server (which commits it) and the page reloads before its answer arrives; the
// reloaded page starts (a pull first: its own echoes), then replays. Seeded: how many notes, which of several
// pushes is interrupted, and whether the server had committed it.
import { fileURLToPath } from 'node:url'
import { seededRandom } from '@autosync/core/testing'
import { createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { type BundleServer, type ChromiumSession, callPage, launchChromium, serveBundle } from '@autosync/test-browser'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerLane, sqliteLane } from '../support/server-lanes'
import type { Device } from './pages/two-way-device'

const signer = createTokenSigner('adapter-rest-reload-replay-browser-secret')
const batchSize = 50
let lane: ServerLane
let page: BundleServer
let session: ChromiumSession

beforeAll(async () => {
  lane = sqliteLane()
  const server = createSyncServer({ store: lane.store, verifier: signer.verify, logger: silentLogger })
  page = await serveBundle({
    entries: { page: fileURLToPath(new URL('./pages/two-way-device.ts', import.meta.url)) },
    fallback(request, response) {
      if (!request.url?.startsWith('/sync/')) return false
      request.url = request.url.slice('/sync'.length)
      server.handler(request, response)
      return true
    },
  })
  session = await launchChromium()
})

afterAll(async () => {
  await session?.close()
  await page?.close()
  await lane?.dispose()
})

const on = <Method extends keyof Device>(tab: Page, method: Method, ...parameters: Parameters<Device[Method]>) =>
  callPage<Awaited<ReturnType<Device[Method]>>>(tab, method, ...parameters)

/** Loads the page and opens the device (same name: the same IndexedDB database after a reload). */
async function openDevice(tab: Page, userId: string) {
  await tab.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
  await tab.evaluate(
    ([token, user, size]) =>
      (window as unknown as { open(...parameters: unknown[]): Promise<void> }).open(
        'replay-device',
        token,
        user,
        false,
        0,
        size,
      ),
    [signer.sign(userId), userId, batchSize] as const,
  )
}

const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

describe('a reload during a sync, in Chromium through the reference server', () => {
  it.each(seeds)('replays without a dead letter and the server holds each note once (seed %i)', async (seed) => {
    const random = seededRandom(seed)
    const count = 60 + Math.floor(random() * 190)
    const pushes = Math.ceil(count / batchSize)
    const interrupted = 1 + Math.floor(random() * pushes)
    const committed = random() < 0.75
    const userId = `replay-${seed}`
    const context = await session.browser!.newContext()
    try {
      const tab = await context.newPage()
      await tab.goto(page.url())
      await openDevice(tab, userId)
      await on(tab, 'bulkPut', count)

      let seen = 0
      let reloaded!: () => void
      const reloadStarted = new Promise<void>((resolve) => {
        reloaded = resolve
      })
      await tab.route('**/sync/push', async (route) => {
        seen += 1
        if (seen < interrupted) return route.continue()
        // The page goes away with this push in flight: after the server committed it, or before it arrived.
        if (committed) await route.fetch()
        reloaded()
      })
      // The sync in flight dies with the page; its promise never settles.
      void on(tab, 'syncNow').catch(() => {})
      await reloadStarted
      await tab.unroute('**/sync/push')
      await tab.reload()
      await openDevice(tab, userId)

      await on(tab, 'start')
      for (let round = 0; round < pushes + 1 && (await on(tab, 'pending')) > 0; round++) await on(tab, 'syncNow')
      expect(await on(tab, 'deadLetters')).toEqual([])
      expect(await on(tab, 'pending')).toBe(0)
      expect(await on(tab, 'status')).toMatchObject({ deadLetters: 0, pendingChanges: 0, lastError: null })
      const stored = await lane.store.readChangesAfter(userId, null, 10_000)
      expect(stored.length).toBe(count)
      expect(new Set(stored.map((record) => record.key)).size).toBe(count)
    } finally {
      await context.close()
    }
  })
})
