// One device in a page: core over the page's real IndexedDB, two-way sync through restAdapter to the server
// mounted on the page's origin. The test drives it through `window.api`.
import { createAutoSync, openStorage } from '@autosync/core'
import { mergeFields, twoWay } from '@autosync/core/two-way'
import { restAdapter } from '../../../src'

async function openDevice(
  name: string,
  token: string,
  userId: string,
  live: boolean,
  bufferMs?: number,
  batchSize?: number,
) {
  const storage = await openStorage({
    name,
    version: 1,
    tables: { notes: { keyPath: 'id' } },
    userIdField: 'userId',
  })
  const autoSync = createAutoSync({
    storage,
    adapter: restAdapter({ baseUrl: `${location.origin}/sync/`, getToken: () => token }),
    userId,
    periodicSyncMs: 0,
    ...(bufferMs === undefined ? {} : { bufferMs }),
    ...(batchSize === undefined ? {} : { batchSize }),
    // Without live hints a device pulls only when told: the exchange tests stay exact.
    plugins: [twoWay({ resolve: mergeFields(), live })],
  })
  // A live device runs the engine (timers, the live stream); the others are driven call by call.
  if (live) await autoSync.start()
  const remote: string[] = []
  /** When each remote key arrived (performance.now()), for the live latency figure. */
  const arrivals: Record<string, number> = {}
  storage.events.onAny((event) => {
    if (event.origin !== 'remote') return
    remote.push(`${event.type}:${String(event.key)}`)
    arrivals[String(event.key)] ??= performance.now()
  })
  return {
    put: (note: Record<string, unknown>) => storage.put('notes', { userId, ...note }),
    bulkPut: (count: number) =>
      storage.bulkPut(
        'notes',
        Array.from({ length: count }, (_, index) => ({ id: `bulk-${index}`, userId, text: `note ${index}` })),
      ),
    update: (id: string, changes: Record<string, unknown>) => storage.update('notes', id, changes),
    remove: (id: string) => storage.delete('notes', id),
    notes: async () => Object.fromEntries((await storage.getAll('notes')).map((note) => [note.id, note])),
    count: () => storage.count('notes'),
    pending: () => storage.outbox.count({ userId }),
    syncNow: () => autoSync.syncNow(),
    /** Starts the engine as a page load does: a pull first, then whatever is pending. */
    start: () => autoSync.start(),
    deadLetters: () => storage.deadLetters.list(),
    pull: () => autoSync.pull(),
    backup: () => autoSync.backup(),
    restore: (discardPending: boolean) =>
      autoSync.restore({ discardPending }).then(
        (outcome) => ({ ok: true as const, outcome }),
        (error: { code?: string; message: string }) => ({
          ok: false as const,
          code: error.code,
          message: error.message,
        }),
      ),
    remote: () => remote,
    /** Resolves when `key` arrived from another device, with the time it arrived (performance.now()). */
    arrival: (key: string) =>
      new Promise<number>((resolve) => {
        const check = () => (arrivals[key] === undefined ? setTimeout(check, 5) : resolve(arrivals[key]!))
        check()
      }),
    /** Writes a note and resolves with the time the write resolved (performance.now()). */
    timedPut: async (note: Record<string, unknown>) => {
      await storage.put('notes', { userId, ...note })
      return performance.now()
    },
    status: () => autoSync.getStatus(),
  }
}

export type Device = Awaited<ReturnType<typeof openDevice>>
Object.assign(window, {
  ready: true,
  open: async (name: string, token: string, userId: string, live = false, bufferMs?: number, batchSize?: number) => {
    Object.assign(window, { api: await openDevice(name, token, userId, live, bufferMs, batchSize) })
  },
})
