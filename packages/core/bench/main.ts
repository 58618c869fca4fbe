import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
    `${label.padEnd(16)} ${name.padEnd(30)} raw ${raw.toFixed(1).padStart(8)} ms  storage ${storage.toFixed(1).padStart(8)} ms  ratio ${ratio.toFixed(2)}x  (target <= ${target.toFixed(2)}x${label.startsWith('chromium') ? (ratio <= target ? ', met' : ', MISSED') : ''})`
  return [
    line(`bulkPut ${result.bulk.records} records`, result.bulk.rawMs, result.bulk.storageMs, result.bulk.ratio, 1.2),
    line(`${result.single.writes} single puts`, result.single.rawMs, result.single.storageMs, result.single.ratio, 1.4),
    `${label.padEnd(16)} floors of a captured single put in raw IndexedDB: record + outbox entry ${result.floors.outbox.toFixed(2)}x, with the create-or-update read awaited first ${result.floors.readThenOutbox.toFixed(2)}x`,
  ]
}

/** `onDisk`: a persistent profile folder (what users have); otherwise Chromium keeps IndexedDB in memory. */
async function inChromium(onDisk: boolean): Promise<WorkloadResult> {
  const server = await serveBundle({ entries: { page: join(benchDirectory, 'page.ts') } })
  const profile = onDisk ? mkdtempSync(join(tmpdir(), 'autosync-bench-profile-')) : undefined
  const session = await launchChromium(profile ? { userDataDir: profile } : {})
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
    if (profile) rmSync(profile, { recursive: true, force: true })
  }
}

async function inNode(): Promise<WorkloadResult> {
  const { runWorkloads } = await import('./workload')
  return runWorkloads({ factory: globalThis.indexedDB, now: () => performance.now(), rounds })
}

const chromiumInMemory = await inChromium(false)
const chromiumOnDisk = await inChromium(true)
const node = await inNode()
console.log(
  '@autosync/core storage vs raw idb: median of',
  rounds,
  'paired rounds (ratio = median of per-round ratios), fresh database each',
)
for (const line of [
  ...format('chromium memory', chromiumInMemory),
  ...format('chromium on disk', chromiumOnDisk),
  ...format('node', node),
]) {
  console.log(line)
}
