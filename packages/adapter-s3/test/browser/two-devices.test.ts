import { fileURLToPath } from 'node:url'
import { type BundleServer, callPage, launchChromium, serveBundle } from '@autosync/test-browser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bucket, type Harness, startHarness } from '../support/harness'
import { presignHandler } from '../support/presign-endpoint'

let harness: Harness
let server: BundleServer

beforeAll(async () => {
  harness = await startHarness()
  const presign = presignHandler(harness.layer.url)
  server = await serveBundle({
    entries: { page: fileURLToPath(new URL('./pages/device.ts', import.meta.url)) },
    // The app's backend, on the page's origin: it signs URLs for the session's user only.
    fallback: async (request, response) => {
      if (!request.url?.startsWith('/presign')) return false
      await presign(request, response)
      return true
    },
  })
})

afterAll(async () => {
  await server?.close()
  await harness?.close()
})

describe('s3Adapter in real Chromium against the verifying s3rver (CORS)', () => {
  it('two devices converge; a lost acknowledgement leaves exactly one copy of each change', async () => {
    const userId = 'browser-user'
    const session = await launchChromium()
    const secondContext = await session.browser!.newContext()
    try {
      const one = await session.context.newPage()
      const two = await secondContext.newPage()
      for (const [page, name] of [
        [one, 'one'],
        [two, 'two'],
      ] as const) {
        await page.goto(server.url())
        await page.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
        await callPage(page, 'open', `device-${name}`, userId, harness.layer.url, bucket)
      }
      await callPage(one, 'write', 3, 'one-', userId)
      harness.layer.dropResponseAfterStoring((method, path) => method === 'PUT' && path.includes(`/${userId}/log/`))
      const replaysBefore = harness.layer.state.preconditionFailures
      // The first answer is cut after the object is stored. Chromium itself may resend the PUT on the reset
      // connection; either way the replay (the browser's or the engine's) meets 412 and is acknowledged.
      await callPage(one, 'syncNow')
      if ((await callPage(one, 'pending')) !== 0) expect(await callPage(one, 'syncNow')).toBe('ok')
      expect(await callPage(one, 'pending')).toBe(0)
      expect(harness.layer.state.preconditionFailures).toBe(replaysBefore + 1)
      expect(await harness.keys(`autosync/${userId}/log/`)).toHaveLength(1)
      await callPage(two, 'write', 2, 'two-', userId)
      expect(await callPage(two, 'syncNow')).toBe('ok')
      await callPage(two, 'pull')
      await callPage(one, 'pull')
      const expected = ['one-0', 'one-1', 'one-2', 'two-0', 'two-1']
      expect(await callPage(one, 'notes')).toEqual(expected)
      expect(await callPage(two, 'notes')).toEqual(expected)
      // Exactly one copy of each change in the bucket, as the AWS SDK sees it.
      const segments = await harness.keys(`autosync/${userId}/log/`)
      expect(segments).toHaveLength(2)
      const changeIds: string[] = []
      for (const key of segments) {
        const segment = (await harness.read(key)) as { changes: { changeId: string }[] }
        changeIds.push(...segment.changes.map((change) => change.changeId))
      }
      expect(changeIds).toHaveLength(5)
      expect(new Set(changeIds).size).toBe(5)
    } finally {
      await secondContext.close()
      await session.close()
    }
  })
})
