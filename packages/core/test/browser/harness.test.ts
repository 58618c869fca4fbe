import { fileURLToPath } from 'node:url'
import { launchChromium, serveBundle } from '@autosync/test-browser'
import { expect, it } from 'vitest'

it('loads @autosync/core from source in real Chromium', async () => {
  const page = fileURLToPath(new URL('./pages/harness.ts', import.meta.url))
  const server = await serveBundle({ entries: { page } })
  const session = await launchChromium()
  try {
    const tab = await session.context.newPage()
    await tab.goto(server.url())
    await tab.waitForFunction(() => (window as { ready?: string }).ready, null, { polling: 20 })
    expect(await tab.evaluate(() => (window as { ready?: string }).ready)).toBe('object:function')
  } finally {
    await session.close()
    await server.close()
  }
})
