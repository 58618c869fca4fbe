import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BundleServer, callPage, launchChromium, serveBundle } from '@autosync/test-browser'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let server: BundleServer

beforeAll(async () => {
  server = await serveBundle({ entries: { page: fileURLToPath(new URL('./pages/storage.ts', import.meta.url)) } })
})

afterAll(async () => {
  await server.close()
})

async function openPage(page: Page, name: string): Promise<string> {
  await page.goto(server.url())
  await page.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
  return callPage<string>(page, 'open', name)
}

describe('storage in real Chromium', () => {
  it('an aborted transaction leaves nothing; committed writes and their outbox survive a page reload', async () => {
    const session = await launchChromium()
    try {
      const page = await session.context.newPage()
      const clientId = await openPage(page, 'reload')
      expect(
        await callPage(
          page,
          'transaction',
          [
            { id: 'a', userId: 'u1' },
            { id: 'b', userId: 'u1' },
          ],
          false,
        ),
      ).toBe('committed')
      expect(
        await callPage(
          page,
          'transaction',
          [
            { id: 'c', userId: 'u1' },
            { id: 'd', userId: 'u1' },
          ],
          true,
        ),
      ).toBe('rolled back')
      expect(await callPage(page, 'heard')).toEqual([
        { type: 'create', key: 'a', origin: 'local' },
        { type: 'create', key: 'b', origin: 'local' },
      ])
      const [first] = await callPage<{ key: string; seq: number; table: string }[]>(page, 'pending')
      await callPage(page, 'acknowledge', [first])

      await page.reload()
      expect(await openPage(page, 'reload')).toBe(clientId)
      const pending = await callPage<{ key: string; seq: number }[]>(page, 'pending')
      expect(pending.map((change) => change.key)).toEqual(['b'])
      expect(await callPage<{ id: string }[]>(page, 'getAll')).toEqual([
        { id: 'a', userId: 'u1' },
        { id: 'b', userId: 'u1' },
      ])
      await callPage(page, 'put', { id: 'e', userId: 'u1' })
      const after = await callPage<{ key: string; seq: number }[]>(page, 'pending')
      expect(after.at(-1)?.key).toBe('e')
      expect(after.at(-1)!.seq).toBeGreaterThan(pending[0]!.seq)
    } finally {
      await session.close()
    }
  })

  it('another tab of the same origin receives events with origin "tab"', async () => {
    const session = await launchChromium()
    try {
      const writer = await session.context.newPage()
      const listener = await session.context.newPage()
      await openPage(writer, 'tabs')
      await openPage(listener, 'tabs')
      await callPage(
        writer,
        'transaction',
        [
          { id: 'x', userId: 'u1' },
          { id: 'y', userId: 'u1' },
        ],
        false,
      )
      await listener.waitForFunction(
        () => (window as unknown as { api: { heard(): unknown[] } }).api.heard().length >= 2,
        null,
        { polling: 20 },
      )
      expect(await callPage(listener, 'heard')).toEqual([
        { type: 'create', key: 'x', origin: 'tab' },
        { type: 'create', key: 'y', origin: 'tab' },
      ])
      expect(await callPage(writer, 'heard')).toEqual([
        { type: 'create', key: 'x', origin: 'local' },
        { type: 'create', key: 'y', origin: 'local' },
      ])
    } finally {
      await session.close()
    }
  })

  it('pending changes and the client id survive a browser restart', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'autosync-profile-'))
    try {
      const first = await launchChromium({ userDataDir: profile })
      let clientId: string
      try {
        const page = await first.context.newPage()
        clientId = await openPage(page, 'restart')
        await callPage(page, 'put', { id: 'kept', userId: 'u1' })
        await callPage(page, 'close')
      } finally {
        await first.close()
      }
      const second = await launchChromium({ userDataDir: profile })
      try {
        const page = await second.context.newPage()
        expect(await openPage(page, 'restart')).toBe(clientId)
        const pending = await callPage<{ key: string; op: string; created: boolean }[]>(page, 'pending')
        expect(pending).toMatchObject([{ key: 'kept', op: 'put', created: true }])
      } finally {
        await second.close()
      }
    } finally {
      rmSync(profile, { recursive: true, force: true })
    }
  })
})
