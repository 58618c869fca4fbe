// One lane = one place core runs (Node or Chromium); every lane measures the same ceiling and backends the same way.
import type { CoreMeasurement, PushRun } from './measure'
import { type Backend, benchToken, ceilingHandler, type RequestHandler } from './servers'
import { median } from './workload'

export interface Lane {
  /** Serves `handler` for the lane's client; `baseUrl` ends in `/`. */
  serve(prefix: string, handler: RequestHandler): Promise<{ baseUrl: string; close(): Promise<void> }>
  ceiling(pushUrl: string, changes: number): Promise<number>
  throughCore(run: PushRun): Promise<CoreMeasurement>
  adapterOnly(run: PushRun): Promise<number>
}

export interface BackendResult {
  name: string
  /** core → restAdapter → backend, changes/s. */
  throughCore: number
  /** Share of the drain spent inside restAdapter.push. */
  adapterShare: number
  /** restAdapter.push → backend without IndexedDB, changes/s. */
  adapterOnly: number
}

export interface LaneResult {
  ceiling: number
  backends: BackendResult[]
}

let run = 0

/** Medians over `rounds`, each round on a freshly opened backend. */
export async function measureLane(lane: Lane, backends: Backend[], changes: number, rounds: number) {
  const ceilings: number[] = []
  const served = await lane.serve('ceiling', ceilingHandler)
  try {
    // A ceiling is the best case: a first, discarded round warms the JIT and opens the connection.
    await lane.ceiling(`${served.baseUrl}push`, changes)
    for (let round = 0; round < rounds; round++) ceilings.push(await lane.ceiling(`${served.baseUrl}push`, changes))
  } finally {
    await served.close()
  }
  const results: BackendResult[] = []
  for (const backend of backends) {
    const throughCore: CoreMeasurement[] = []
    const adapterOnly: number[] = []
    for (let round = 0; round < rounds; round++) {
      const opened = await backend.open()
      try {
        const { baseUrl, close } = await lane.serve(backend.prefix, opened.handler)
        try {
          throughCore.push(await lane.throughCore({ baseUrl, token: benchToken(), run: ++run, changes }))
          adapterOnly.push(await lane.adapterOnly({ baseUrl, token: benchToken(), run: ++run, changes }))
        } finally {
          await close()
        }
      } finally {
        await opened.close()
      }
    }
    results.push({
      name: backend.name,
      throughCore: median(throughCore.map((measured) => measured.rate)),
      adapterShare: median(throughCore.map((measured) => measured.adapterShare)),
      adapterOnly: median(adapterOnly),
    })
  }
  return { ceiling: median(ceilings), backends: results } satisfies LaneResult
}
