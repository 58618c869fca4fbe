import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import 'fake-indexeddb/auto'
import { launchChromium, serveBundle } from '@autosync/test-browser'
import { type PullApplyResult, runPullApply } from './pull-apply'

const changes = Number(process.env.BENCH_PULL_CHANGES ?? 100_000)
const pageSize = 500
const benchDirectory = process.env.AUTOSYNC_BENCH_DIR ?? fileURLToPath(new URL('.', import.meta.url))

async function inChromium(): Promise<PullApplyResult> {
  const server = await serveBundle({ entries: { page: join(benchDirectory, 'pull-page.ts') } })
  const session = await launchChromium()
  try {
    const page = await session.context.newPage()
    await page.goto(server.url())
    await page.waitForFunction(() => (window as { benchReady?: boolean }).benchReady, null, { polling: 20 })
    return (await page.evaluate(
      ([count, size]) =>
        (window as unknown as { runPullApply(c: number, s: number): Promise<unknown> }).runPullApply(count!, size!),
      [changes, pageSize],
    )) as PullApplyResult
  } finally {
    await session.close()
    await server.close()
  }
}

const line = (label: string, result: PullApplyResult, target?: number) =>
  `${label.padEnd(9)} apply ${result.changes} pulled changes in pages of ${result.pageSize}: raw idb ${result.rawMs.toFixed(0)} ms, two-way pull ${result.pullMs.toFixed(0)} ms, speed ratio ${result.ratio.toFixed(2)}x${target === undefined ? '' : ` (target >= ${target}x, ${result.ratio >= target ? 'met' : 'MISSED'})`}`

const chromium = await inChromium()
const node = await runPullApply({
  factory: globalThis.indexedDB,
  now: () => performance.now(),
  changes: Math.min(changes, 20_000),
  pageSize,
})
console.log('@autosync/core/two-way pull apply vs raw idb bulk put of the same records (one run each)')
console.log(line('chromium', chromium, 0.6))
console.log(line('node', node))
// The revision each record needs (DESIGN: metadata beside the record) is one more IndexedDB request per record;
// raw IndexedDB doing only that sets the best ratio any apply can reach.
for (const [label, result] of [
  ['chromium', chromium],
  ['node', node],
] as const)
  console.log(
    `${label.padEnd(9)} floor: raw IndexedDB putting each record and its revision ${result.rawWithRevisionsMs.toFixed(0)} ms, best reachable ratio ${(result.rawMs / result.rawWithRevisionsMs).toFixed(2)}x`,
  )
