import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BundleServer, callPage, launchChromium, serveBundle } from '@autosync/test-browser'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'

// Guarantee 1 for a crash: nothing is closed, the browser process is killed right after the write resolved.
let server: BundleServer
beforeAll(async () => {
  server = await serveBundle({ entries: { page: fileURLToPath(new URL('./pages/storage.ts', import.meta.url)) } })
})
afterAll(() => server.close())

async function openPage(page: Page, name: string): Promise<string> {
  await page.goto(server.url())
  await page.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
  return callPage<string>(page, 'open', name)
}

/** The main Chromium process of one profile: the one whose command line names the folder and no `--type=`. */
function browserProcessIds(profile: string): number[] {
  const ids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let commandLine: string[]
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
    } catch {
      continue
    }
    const forProfile = commandLine.some((part) => part === `--user-data-dir=${profile}`)
    if (forProfile && !commandLine.some((part) => part.startsWith('--type='))) ids.push(Number(entry))
  }
  return ids
}

it('a write whose promise resolved survives SIGKILL of the browser process (record and outbox entry)', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'autosync-crash-profile-'))
  try {
    const first = await launchChromium({ userDataDir: profile })
    const page = await first.context.newPage()
    const clientId = await openPage(page, 'crash')
    await callPage(page, 'put', { id: 'survivor', userId: 'u1', text: 'written right before the crash' })
    const [browserProcess, ...others] = browserProcessIds(profile)
    expect(browserProcess).toBeTypeOf('number')
    expect(others).toEqual([])
    // No close, no flush: the process dies the moment the write has resolved.
    const disconnected = new Promise((resolve) => first.context.once('close', resolve))
    process.kill(browserProcess!, 'SIGKILL')
    await disconnected
    await first.close().catch(() => {})

    const second = await launchChromium({ userDataDir: profile })
    try {
      const reopened = await second.context.newPage()
      expect(await openPage(reopened, 'crash')).toBe(clientId)
      expect(await callPage(reopened, 'getAll')).toEqual([
        { id: 'survivor', userId: 'u1', text: 'written right before the crash' },
      ])
      const pending = await callPage<{ key: string; op: string; created: boolean }[]>(reopened, 'pending')
      expect(pending).toMatchObject([{ key: 'survivor', op: 'put', created: true }])
    } finally {
      await second.close()
    }
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}, 120_000)
