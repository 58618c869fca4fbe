import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import 'fake-indexeddb/auto'
import { launchChromium, serveBundle } from '@autosync/test-browser'
import type { WorkloadResult } from './workload'

const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
// run.mjs runs a bundled copy of this file elsewhere, so it names the bench folder.
const benchDirectory = process.env.AUTOSYNC_BENCH_DIR ?? fileURLToPath(new URL('.', import.meta.url))

function format(label: string, result: WorkloadResult): string[] {
  const line = (name: string, raw: number, storage: number, ratio: number, target: number) =>
    `${label.padEnd(9)} ${name.padEnd(30)} raw ${raw.toFixed(1).padStart(8)} ms  storage ${storage.toFixed(1).padStart(8)} ms  ratio ${ratio.toFixed(2)}x  (target <= ${target.toFixed(2)}x${label === 'chromium' ? (ratio <= target ? ', met' : ', MISSED') : ''})`
  return [
    line(`bulkPut ${result.bulk.records} records`, result.bulk.rawMs, result.bulk.storageMs, result.bulk.ratio, 1.2),
    line(`${result.single.writes} single puts`, result.single.rawMs, result.single.storageMs, result.single.ratio, 1.4),
  ]
}

async function inChromium(): Promise<WorkloadResult> {
  const server = await serveBundle({ entries: { page: join(benchDirectory, 'page.ts') } })
  const session = await launchChromium()
  try {
    const page = await session.context.newPage()
    await page.goto(server.url())
    await page.waitForFunction(() => (window as { benchReady?: boolean }).benchReady, null, { polling: 20 })
    return (await page.evaluate(
      (benchRounds) =>
        (window as unknown as { runBench(options: object): Promise<unknown> }).runBench({ rounds: benchRounds }),
      rounds,
    )) as WorkloadResult
  } finally {
    await session.close()
    await server.close()
  }
}

async function inNode(): Promise<WorkloadResult> {
  const { runWorkloads } = await import('./workload')
  return runWorkloads({ factory: globalThis.indexedDB, now: () => performance.now(), rounds })
}

const chromium = await inChromium()
const node = await inNode()
console.log(
  '@autosync/core storage vs raw idb: median of',
  rounds,
  'paired rounds (ratio = median of per-round ratios), fresh database each',
)
for (const line of [...format('chromium', chromium), ...format('node', node)]) console.log(line)
