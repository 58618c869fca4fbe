import { createMemoryAdapter, type MemoryAdapter } from '../../src/testing/memory-adapter'
import { testAdapter } from '../../src/testing/test-adapter'

testAdapter<MemoryAdapter>({
  name: 'memory',
  createAdapter: ({ fault }) => createMemoryAdapter(fault ? { fault } : {}),
  read: async (adapter, userId, table, key) => adapter.records(userId).get(table)?.get(key),
})

testAdapter<MemoryAdapter>({
  name: 'memory through pull',
  createAdapter: ({ fault }) => createMemoryAdapter({ partialUpdates: false, ...(fault ? { fault } : {}) }),
})

testAdapter<MemoryAdapter>({
  name: 'memory as a log backend (no conditional writes)',
  createAdapter: ({ fault }) => createMemoryAdapter({ conditionalWrites: false, ...(fault ? { fault } : {}) }),
})
