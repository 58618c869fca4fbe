// End-to-end push throughput: core's outbox → restAdapter → HTTP server, as a ratio to the raw HTTP ceiling (Node's
// fetch into a bare node:http server that only reads the body) measured in the same run. Core runs twice: in Node
// over fake-indexeddb, and in Chromium over real IndexedDB with the servers in this process.
import { openChromiumLane } from './chromium-lane'
import { type LaneResult, measureLane } from './lane'
import { nodeLane } from './node-lane'
import { printReport } from './report'
import { backends } from './servers'
import { batchSize } from './workload'

const changes = Number(process.env.AUTOSYNC_BENCH_CHANGES ?? 20_000)
const rounds = 3
const postgresUrl = process.env.AUTOSYNC_POSTGRES_URL
if (!postgresUrl) {
  console.warn('AUTOSYNC_POSTGRES_URL is not set: skipping the PostgreSQL lanes (eval "$(scripts/start-postgres.sh)")')
}
const servers = backends(postgresUrl)

const node = await measureLane(nodeLane, servers, changes, rounds)
let chromium: LaneResult | undefined
if (process.env.AUTOSYNC_BENCH_CHROMIUM !== '0') {
  const lane = await openChromiumLane()
  try {
    chromium = await measureLane(lane, servers, changes, rounds)
  } finally {
    await lane.close()
  }
}
printReport({ changes, batchSize, rounds, node, chromium })
