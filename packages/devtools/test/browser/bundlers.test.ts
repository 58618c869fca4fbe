import { fileURLToPath } from 'node:url'
import { type BundleServerOptions, callPage, launchChromium, serveBundle } from '@autosync/test-browser'
import { describe, expect, it } from 'vitest'

const page = fileURLToPath(new URL('./pages/default-import.ts', import.meta.url))

/** Bundles the page as `bundler` would, opens it in Chromium and says whether the default import mounted the panel. */
async function mountsWith(bundler: Omit<BundleServerOptions, 'entries'>): Promise<boolean> {
  const server = await serveBundle({ entries: { page }, ...bundler })
  const session = await launchChromium()
  try {
    const tab = await session.context.newPage()
    await tab.goto(server.url())
    await tab.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
    return (await callPage(tab, 'mount')) as boolean
  } finally {
    await session.close()
    await server.close()
  }
}

// A browser page has no `process`: bundlers replace `process.env.NODE_ENV` but do not define `process` itself.
describe('the default import in a browser bundle', () => {
  it('mounts in a development build that resolves the `development` condition (Vite dev server, webpack development)', async () => {
    expect(await mountsWith({ conditions: ['development'], define: { 'process.env.NODE_ENV': '"development"' } })).toBe(
      true,
    )
  })

  it('mounts with the `development` condition even where nothing replaces process.env.NODE_ENV', async () => {
    expect(await mountsWith({ conditions: ['development'], define: {} })).toBe(true)
  })

  it('mounts nothing in a production build', async () => {
    expect(await mountsWith({ conditions: ['production'], define: { 'process.env.NODE_ENV': '"production"' } })).toBe(
      false,
    )
  })
})
