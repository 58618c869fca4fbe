// Drains a 20,000-change backlog from real Chromium (core + s3Adapter, presigned) into s3rver behind the
// verifying layer, and compares it with a baseline measured in the same run: the same segments PUT
// directly from Node with aws4fetch, no browser and no core. Prints changes/s and requests per 1,000 changes.
import { resolve } from 'node:path'
import { launchChromium, serveBundle } from '@autosync/test-browser'
import { AwsClient } from 'aws4fetch'
import { accessKeyId, bucket, secretAccessKey, startHarness } from '../test/support/harness'
import { presignHandler } from '../test/support/presign-endpoint'

const changes = 20_000
const batchSize = 500
const harness = await startHarness(resolve('test/support/s3rver-process.cjs'))
const presign = presignHandler(harness.layer.url)
const server = await serveBundle({
  entries: { page: resolve('test/browser/pages/device.ts') },
  fallback: async (request, response) => {
    if (!request.url?.startsWith('/presign')) return false
    await presign(request, response)
    return true
  },
})
const session = await launchChromium()
try {
  // Baseline: the same number of segments of the same size, signed and PUT from Node.
  const client = new AwsClient({ accessKeyId, secretAccessKey, service: 's3', region: 'us-east-1', retries: 0 })
  const body = JSON.stringify({
    changes: Array.from({ length: batchSize }, (_, index) => ({ id: `n${index}`, userId: 'bench', text: 'n-' })),
  })
  let started = performance.now()
  for (let index = 0; index < changes / batchSize; index++) {
    const response = await client.fetch(`${harness.layer.url}/${bucket}/baseline/log/${index}.json`, {
      method: 'PUT',
      body,
      headers: { 'if-none-match': '*' },
    })
    if (!response.ok) throw new Error(`baseline PUT ${response.status}`)
  }
  const baselineRate = changes / ((performance.now() - started) / 1000)

  const page = await session.context.newPage()
  await page.goto(server.url())
  await page.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
  type Api = Record<string, (...parts: unknown[]) => unknown>
  const call = (method: string, ...args: unknown[]) =>
    page.evaluate(
      ([name, parameters]) => (window as unknown as { api: Api }).api[name as string]!(...(parameters as unknown[])),
      [method, args] as const,
    )
  await call('open', 'bench', 'bench', harness.layer.url, bucket)
  await call('bulkWrite', changes, 'n-', 'bench')
  const requestsBefore = harness.layer.state.requests
  const byOperationBefore = { ...harness.layer.state.byOperation }
  started = performance.now()
  for (let round = 0; round < 1_000 && (await call('pending')) !== 0; round++) await call('syncNow')
  const seconds = (performance.now() - started) / 1000
  const requests = harness.layer.state.requests - requestsBefore
  const rate = changes / seconds
  console.log(`adapter-s3 drain of ${changes} changes from Chromium (presigned, verifying s3rver on loopback)`)
  console.log(`  chromium + core + s3Adapter: ${rate.toFixed(0)} changes/s (${seconds.toFixed(2)} s)`)
  console.log(`  baseline (Node aws4fetch PUTs of the same segments): ${baselineRate.toFixed(0)} changes/s`)
  console.log(`  ratio to baseline: ${(rate / baselineRate).toFixed(2)}`)
  const perThousand = (count: number) => ((count / changes) * 1000).toFixed(2)
  const counted = Object.entries(harness.layer.state.byOperation).map(
    ([operation, count]) => [operation, count - (byOperationBefore[operation] ?? 0)] as const,
  )
  const preflights = counted.find(([operation]) => operation === 'OPTIONS')?.[1] ?? 0
  const api = counted.filter(([operation]) => operation !== 'OPTIONS')
  const apiRequests = api.reduce((sum, [, count]) => sum + count, 0)
  console.log(
    `  S3 API requests per 1,000 changes: ${perThousand(apiRequests)} (${api.map(([operation, count]) => `${operation} ${perThousand(count)}`).join(', ')}; target ≤ 3 at batch size ${batchSize})`,
  )
  // A PUT with If-None-Match is never a CORS "simple" request and every segment has its own URL: one preflight each.
  console.log(
    `  browser CORS preflights per 1,000 changes: ${perThousand(preflights)} (all requests: ${perThousand(requests)})`,
  )
} finally {
  await session.close()
  await server.close()
  await harness.close()
}
