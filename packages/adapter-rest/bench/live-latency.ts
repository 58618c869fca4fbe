// Live propagation in real Chromium: device A writes a note, device B (another browser context, its own
// IndexedDB) shows it through the server's /events stream. Measures write resolved on A → `remote` event on B,
// with default options and with bufferMs 0, and prints p50/p95. Writes are spaced well beyond minIntervalMs: DESIGN
// lets a hint pull at once unless the device's last pull ended less than minIntervalMs ago (then at that time).
import { fileURLToPath } from 'node:url'
import { createSqliteStore, createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { callPage, launchChromium, serveBundle } from '@autosync/test-browser'
import type { Page } from 'playwright-core'

// npm run bench runs a bundle from node_modules/.cache/autosync-bench/, three folders below the package.
const pagePath = fileURLToPath(new URL('../../../test/browser/pages/two-way-device.ts', import.meta.url))
const writes = Number(process.env.LIVE_WRITES ?? 10)
// Beyond minIntervalMs after B's previous pull ended, so B pulls on the hint at once, as DESIGN allows.
const spacingMs = 10_500
const signer = createTokenSigner('adapter-rest-live-latency-bench-secret-01')
const store = createSqliteStore()
const server = createSyncServer({ store, verifier: signer.verify, logger: silentLogger })
const bundle = await serveBundle({
  entries: { page: pagePath },
  fallback(request, response) {
    if (!request.url?.startsWith('/sync/')) return false
    request.url = request.url.slice('/sync'.length)
    server.handler(request, response)
    return true
  },
})
const session = await launchChromium()

async function device(name: string, userId: string, bufferMs?: number): Promise<Page> {
  const tab = await (await session.browser!.newContext()).newPage()
  await tab.goto(bundle.url())
  await tab.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
  await tab.evaluate(
    ([device, token, user, buffer]) =>
      (window as unknown as { open(...parts: unknown[]): Promise<void> }).open(device, token, user, true, buffer),
    [name, signer.sign(userId), userId, bufferMs] as const,
  )
  return tab
}

const percentile = (values: number[], fraction: number) =>
  [...values].sort((left, right) => left - right)[Math.min(values.length - 1, Math.floor(values.length * fraction))]!

async function measure(label: string, bufferMs?: number) {
  const userId = `latency-${label}`
  const a = await device(`${userId}-a`, userId, bufferMs)
  const b = await device(`${userId}-b`, userId, bufferMs)
  const originA = await a.evaluate(() => performance.timeOrigin)
  const originB = await b.evaluate(() => performance.timeOrigin)
  const latencies: number[] = []
  await new Promise((resolve) => setTimeout(resolve, spacingMs))
  for (let index = 0; index < writes; index++) {
    const started = Date.now()
    const written = originA + (await callPage<number>(a, 'timedPut', { id: `n${index}`, text: `note ${index}` }))
    const arrived = originB + (await callPage<number>(b, 'arrival', `n${index}`))
    latencies.push(arrived - written)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, spacingMs - (Date.now() - started))))
  }
  await a.context().close()
  await b.context().close()
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) }
}

try {
  const defaults = await measure('defaults')
  const immediate = await measure('buffer0', 0)
  console.log(
    `Live propagation in Chromium, write resolved on A → remote event on B (${writes} writes each, SQLite server)`,
  )
  console.log(
    `  default options (bufferMs 2,000): p50 ${defaults.p50.toFixed(0)} ms, p95 ${defaults.p95.toFixed(0)} ms (target p95 < bufferMs + 500 ms = 2,500 ms${defaults.p95 < 2_500 ? ', met' : ', MISSED'})`,
  )
  console.log(
    `  bufferMs 0: p50 ${immediate.p50.toFixed(0)} ms, p95 ${immediate.p95.toFixed(0)} ms (target p95 < 250 ms${immediate.p95 < 250 ? ', met' : ', MISSED'})`,
  )
} finally {
  await session.close()
  await bundle.close()
  await store.close()
}
