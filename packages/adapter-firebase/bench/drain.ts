// Drains 20,000 pending changes from core (fake-indexeddb, Node) into the Firestore emulator through
// firestoreAdapter, and prints changes/s and commits per 1,000 changes. The baseline, measured in the same run:
// the same documents written with plain writeBatch commits of 500 from the same SDK, without core.
import 'fake-indexeddb/auto'
import { createAutoSync, openStorage } from '@autosync/core'
import { twoWay } from '@autosync/core/two-way'
import { IDBFactory } from 'fake-indexeddb'
import { doc, terminate, writeBatch } from 'firebase/firestore'
import { firestoreAdapter } from '../src'
import { startEmulator } from '../test/support/emulator'
import { firestoreOn } from '../test/support/firestore'

// 5,000 by default: the emulator keeps documents in memory and slows as they grow (20,000 take minutes there);
// FIRESTORE_BENCH_CHANGES=20000 runs the figure.
const changes = Number(process.env.FIRESTORE_BENCH_CHANGES ?? 5_000)
const emulator = await startEmulator()
const firestore = firestoreOn(emulator)
const quiet = { debug() {}, info() {}, warn() {}, error() {} }
try {
  let started = performance.now()
  for (let start = 0; start < changes; start += 500) {
    const batch = writeBatch(firestore)
    for (let index = start; index < Math.min(changes, start + 500); index++)
      batch.set(doc(firestore, `users/baseline/notes/n${index}`), { id: `n${index}`, text: 'n' })
    await batch.commit()
  }
  const baselineRate = changes / ((performance.now() - started) / 1000)

  const storage = await openStorage({
    name: 'bench',
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
    indexedDB: new IDBFactory(),
    broadcast: false,
    activeUserId: 'bench',
    logger: quiet,
  })
  for (let start = 0; start < changes; start += 1_000) {
    const count = Math.min(1_000, changes - start)
    await storage.bulkPut(
      'notes',
      Array.from({ length: count }, (_, index) => ({ id: `n${start + index}`, userId: 'bench', text: 'n' })),
    )
  }
  const autoSync = createAutoSync({
    storage,
    adapter: firestoreAdapter({ firestore, tables: ['notes'] }),
    userId: 'bench',
    logger: quiet,
    periodicSyncMs: 0,
    plugins: [twoWay({ live: false })],
  })
  const commitsBefore = emulator.commits()
  started = performance.now()
  // start() counts the backlog; syncNow() drains it now rather than after the buffer.
  await autoSync.start()
  for (let round = 0; round < 100 && autoSync.getStatus().pendingChanges > 0; round++) await autoSync.syncNow()
  await autoSync.stop()
  const seconds = (performance.now() - started) / 1000
  const commits = emulator.commits() - commitsBefore
  console.log(`adapter-firebase drain of ${changes} changes into the Firestore emulator (Node, fake-indexeddb)`)
  console.log(`  core + firestoreAdapter: ${(changes / seconds).toFixed(0)} changes/s (${seconds.toFixed(2)} s)`)
  console.log(`  baseline (writeBatch commits of 500, no core): ${baselineRate.toFixed(0)} changes/s`)
  console.log(`  ratio to baseline: ${(changes / seconds / baselineRate).toFixed(2)}`)
  console.log(
    `  commits per 1,000 changes: ${((commits / changes) * 1_000).toFixed(2)} (each a transaction of at most 500 writes)`,
  )
  storage.close()
} finally {
  await terminate(firestore)
  emulator.stop()
}
