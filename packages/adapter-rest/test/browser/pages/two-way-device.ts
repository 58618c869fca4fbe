// One device in a page: core over the page's real IndexedDB, two-way sync through restAdapter to the server
// mounted on the page's origin. The test drives it through `window.api`.
import { createAutoSync, openStorage } from '@autosync/core'
import { mergeFields, twoWay } from '@autosync/core/two-way'
import { restAdapter } from '../../../src'

async function openDevice(name: string, token: string, userId: string) {
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
    plugins: [twoWay({ resolve: mergeFields() })],
  })
  const remote: string[] = []
  storage.events.onAny((event) => {
    if (event.origin === 'remote') remote.push(`${event.type}:${String(event.key)}`)
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
    status: () => autoSync.getStatus(),
  }
}

export type Device = Awaited<ReturnType<typeof openDevice>>
Object.assign(window, {
  ready: true,
  open: async (name: string, token: string, userId: string) => {
    Object.assign(window, { api: await openDevice(name, token, userId) })
  },
})
