// Prints the lanes as ratios to the ceilings, and the targets with whether each was met.
import type { BackendResult, LaneResult } from './lane'

const targetRatio = 0.3
const targetPostgresRate = 20_000

const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} changes/s`
const ratio = (value: number, ceiling: number) => `${(value / ceiling).toFixed(2)}×`
const percent = (share: number) => `${Math.round(share * 100)}%`

export interface Report {
  changes: number
  batchSize: number
  rounds: number
  node: LaneResult
  chromium: LaneResult | undefined
}

export function printReport({ changes, batchSize, rounds, node, chromium }: Report): void {
  const lines = [
    '',
    `Push throughput, ${changes.toLocaleString('en-US')} changes in batches of ${batchSize}, median of ${rounds} rounds`,
    `  Node ceiling (Node fetch → bare node:http, body read only; the issue's ceiling): ${rate(node.ceiling)}`,
  ]
  if (chromium) {
    lines.push(`  browser ceiling (Chromium fetch → the same handler, on the page's origin): ${rate(chromium.ceiling)}`)
  }
  lines.push('Node, fake-indexeddb (core and the servers on one thread):')
  for (const result of node.backends) lines.push(...backendLines(result, [[node.ceiling, 'Node ceiling']]))
  if (chromium) {
    lines.push('Chromium, IndexedDB (no DevTools client; servers in the Node process, on the page origin):')
    for (const result of chromium.backends) {
      const ceilings: [number, string][] = [
        [node.ceiling, 'Node ceiling'],
        [chromium.ceiling, 'browser ceiling'],
      ]
      lines.push(...backendLines(result, ceilings))
    }
  }
  lines.push(
    `Targets: core → restAdapter → no-op server ≥ ${targetRatio.toFixed(2)}× Node ceiling; → PostgreSQL ≥ ${rate(targetPostgresRate)}`,
  )
  for (const [label, lane] of [
    ['Chromium', chromium],
    ['Node, fake-indexeddb', node],
  ] as const) {
    if (lane) lines.push(...targetLines(label, lane, node.ceiling))
  }
  console.log(lines.join('\n'))
}

function backendLines(result: BackendResult, ceilings: [number, string][]): string[] {
  const ratios = (value: number) => ceilings.map(([ceiling, name]) => `${ratio(value, ceiling)} ${name}`).join(', ')
  return [
    `  core → restAdapter → ${result.name}: ${rate(result.throughCore)} = ${ratios(result.throughCore)} (${percent(result.adapterShare)} of it inside restAdapter.push)`,
    `  restAdapter.push → ${result.name} (no IndexedDB): ${rate(result.adapterOnly)} = ${ratios(result.adapterOnly)}`,
  ]
}

function targetLines(label: string, lane: LaneResult, nodeCeiling: number): string[] {
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED')
  const noOp = lane.backends.find((result) => result.name === 'no-op server')
  const postgres = lane.backends.find((result) => result.name.endsWith('PostgreSQL'))
  const noOpRatio = noOp ? noOp.throughCore / nodeCeiling : 0
  return [
    `  ${label}, no-op: ${noOpRatio.toFixed(2)}× — ${verdict(noOpRatio >= targetRatio)}`,
    postgres
      ? `  ${label}, PostgreSQL: ${rate(postgres.throughCore)} — ${verdict(postgres.throughCore >= targetPostgresRate)}`
      : `  ${label}, PostgreSQL: not measured (AUTOSYNC_POSTGRES_URL is not set)`,
  ]
}
