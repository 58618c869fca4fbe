// Core in Node over fake-indexeddb, on the same thread as the servers it pushes to.
import 'fake-indexeddb/auto'
import type { Lane } from './lane'
import { measureAdapterOnly, measureCeiling, measureThroughCore } from './measure'
import { listen } from './servers'

export const nodeLane: Lane = {
  async serve(_prefix, handler) {
    const server = await listen(handler)
    return { baseUrl: server.url, close: server.close }
  },
  ceiling: measureCeiling,
  throughCore: measureThroughCore,
  adapterOnly: measureAdapterOnly,
}
