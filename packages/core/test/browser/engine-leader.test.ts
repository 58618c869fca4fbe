import type { IncomingMessage } from 'node:http'
import { fileURLToPath } from 'node:url'
import { launchChromium, serveBundle } from '@autosync/test-browser'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import type { SyncStatus } from '../../src/types'

interface App {
  status(): SyncStatus
  write(count: number): Promise<void>
  heldLocks(): Promise<string[]>
  ids(count: number): string[]
  syncNow(): Promise<void>
}
type AppWindow = { app: App; ready?: boolean; synced?: boolean }

const received = new Set<string>()
/** Record keys the server has stored. */
const receivedKeys = new Set<string>()
/** While set, the server holds every push (noting its keys) until the gate opens. */
let gate: Promise<void> | undefined
const heldKeys = new Set<string>()
let active = 0
let maxActive = 0
let pushes = 0
const readBody = async (request: IncomingMessage) => {
  let body = ''
  for await (const chunk of request) body += chunk
  return JSON.parse(body) as { ids: string[]; keys: string[] }
}

let server: Awaited<ReturnType<typeof serveBundle>>
let session: Awaited<ReturnType<typeof launchChromium>>

beforeAll(async () => {
  server = await serveBundle({
    entries: { page: fileURLToPath(new URL('./pages/engine-leader.ts', import.meta.url)) },
    fallback: async (request, response) => {
      if (request.url !== '/push') return false
      active++
      pushes++
      maxActive = Math.max(maxActive, active)
      const { ids, keys } = await readBody(request)
      if (gate) {
        for (const key of keys) heldKeys.add(key)
        await gate
      }
      // Long enough that a second uploader would overlap.
      await new Promise((resolve) => setTimeout(resolve, 100))
      for (const id of ids) received.add(id)
      for (const key of keys) receivedKeys.add(key)
      active--
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      return true
    },
  })
  session = await launchChromium()
})

afterAll(async () => {
  await session?.close()
  await server?.close()
})

async function openTab(): Promise<Page> {
  const page = await session.context.newPage()
  await page.goto(server.url())
  await page.waitForFunction(() => (window as unknown as AppWindow).ready, null, { polling: 20 })
  return page
}

/** The tab that leads within `timeout` ms (rejects if none does). */
function leaderOf(tabs: Page[], timeout = 5_000): Promise<Page> {
  return Promise.any(
    tabs.map((tab) =>
      tab
        .waitForFunction(() => (window as unknown as AppWindow).app.status().isLeader, null, { polling: 20, timeout })
        .then(() => tab),
    ),
  )
}

const status = (tab: Page) => tab.evaluate(() => (window as unknown as AppWindow).app.status())

async function expectOneLeaderAndSameStatus(tabs: Page[]): Promise<void> {
  const flags = await Promise.all(tabs.map(async (tab) => (await status(tab)).isLeader))
  expect(flags.filter(Boolean)).toHaveLength(1)
  const held = await tabs[0]!.evaluate(() => (window as unknown as AppWindow).app.heldLocks())
  expect(held.filter((name) => name.startsWith('autosync:engine-leader:'))).toEqual(['autosync:engine-leader:u1'])
  // Every tab converges on the leader's status: nothing pending and the same last sync time.
  const leader = tabs[flags.indexOf(true)]!
  await leader.waitForFunction(() => (window as unknown as AppWindow).app.status().pendingChanges === 0, null, {
    polling: 20,
    timeout: 10_000,
  })
  const { lastSyncTime } = await status(leader)
  for (const tab of tabs) {
    await tab.waitForFunction(
      (time) => {
        const current = (window as unknown as AppWindow).app.status()
        return current.pendingChanges === 0 && current.lastSyncTime === time
      },
      lastSyncTime,
      { polling: 20, timeout: 10_000 },
    )
  }
  const snapshots = await Promise.all(tabs.map(status))
  const withoutLeader = snapshots.map(({ isLeader: _, ...rest }) => rest)
  for (const snapshot of withoutLeader) expect(snapshot).toEqual(withoutLeader[0])
}

it('keeps one uploader across three tabs, hands over when the leader closes, and mirrors status', async () => {
  let tabs = [await openTab(), await openTab(), await openTab()]
  let written = 0
  for (let round = 0; round < 3; round++) {
    const leader = await leaderOf(tabs)
    await Promise.all(tabs.map((tab) => tab.evaluate((count) => (window as unknown as AppWindow).app.write(count), 15)))
    written += 15 * tabs.length
    await expectOneLeaderAndSameStatus(tabs)
    expect(received.size).toBe(written)
    if (round === 2) break
    await leader.close({ runBeforeUnload: false })
    tabs = tabs.filter((tab) => tab !== leader)
    tabs.push(await openTab())
    const started = Date.now()
    await leaderOf(tabs, 5_000)
    expect(Date.now() - started).toBeLessThan(5_000)
  }
  expect(maxActive).toBe(1)
  expect(pushes).toBeGreaterThan(3)
}, 120_000)

it("resolves a follower's syncNow only after the leader pushed the follower's changes", async () => {
  // The tabs of the previous test are still open: one of them (or this new one) leads.
  await openTab()
  const tabs = session.context.pages()
  const leader = await leaderOf(tabs)
  const follower = tabs.find((tab) => tab !== leader)!
  let release = () => {}
  gate = new Promise((resolve) => {
    release = resolve
  })
  const keys = await follower.evaluate(async () => {
    const page = window as unknown as AppWindow
    await page.app.write(5)
    page.synced = false
    void page.app.syncNow().then(() => {
      page.synced = true
    })
    return page.app.ids(5)
  })
  // The leader is pushing (held by the server): the follower's syncNow must still be waiting.
  await vi.waitFor(() => expect(keys.some((key) => heldKeys.has(key))).toBe(true), { timeout: 10_000, interval: 20 })
  expect(await follower.evaluate(() => (window as unknown as AppWindow).synced)).toBe(false)
  gate = undefined
  release()
  await follower.waitForFunction(() => (window as unknown as AppWindow).synced, null, { polling: 20, timeout: 10_000 })
  expect(keys.filter((key) => !receivedKeys.has(key))).toEqual([])
}, 60_000)

it('hands the lead over when the leading tab is frozen, and takes it back only as a follower on resume', async () => {
  const tabs = session.context.pages()
  expect(tabs.length).toBeGreaterThanOrEqual(3)
  const frozen = await leaderOf(tabs)
  const others = tabs.filter((tab) => tab !== frozen)
  // Chromium fires `freeze` on a hidden tab before freezing it; headless never hides a page, so the test fires it.
  await frozen.evaluate(() => document.dispatchEvent(new Event('freeze')))
  const next = await leaderOf(others)
  expect((await status(frozen)).isLeader).toBe(false)

  // The frozen tab's Web Lock was given up: the other tabs' writes reach the server through the new leader.
  const follower = others.find((tab) => tab !== next)!
  const before = received.size
  await follower.evaluate((count) => (window as unknown as AppWindow).app.write(count), 6)
  await vi.waitFor(() => expect(received.size).toBe(before + 6), { timeout: 10_000, interval: 20 })

  // On resume it queues for the lock again behind the new leader instead of leading a second upload.
  await frozen.evaluate(() => document.dispatchEvent(new Event('resume')))
  await frozen.evaluate((count) => (window as unknown as AppWindow).app.write(count), 4)
  await vi.waitFor(() => expect(received.size).toBe(before + 10), { timeout: 10_000, interval: 20 })
  await expectOneLeaderAndSameStatus(tabs)
  expect((await status(next)).isLeader).toBe(true)
  expect(maxActive).toBe(1)

  // It rejoined the election: once the other tabs are gone it is the one that leads.
  await Promise.all(others.map((tab) => tab.close({ runBeforeUnload: false })))
  await leaderOf([frozen])
}, 60_000)
