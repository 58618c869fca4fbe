import { openStorage, type Storage, type StorageEvent } from '@autosync/core'

// A test page: the browser tests drive real IndexedDB and BroadcastChannel through `window.api`.
const heard: StorageEvent[] = []
let storage: Storage | undefined

const api = {
  async open(name: string) {
    storage = await openStorage({ name, version: 1, tables: { notes: { keyPath: 'id' } }, userIdField: 'userId' })
    storage.events.onAny((event) => heard.push(event))
    return storage.clientId
  },
  put: (value: Record<string, unknown>) => storage!.put('notes', value),
  async transaction(values: Record<string, unknown>[], fail: boolean) {
    try {
      await storage!.transaction(['notes'], async (tx) => {
        for (const value of values) await tx.put('notes', value)
        if (fail) throw new Error('rolled back')
      })
      return 'committed'
    } catch (error) {
      return (error as Error).message
    }
  },
  pending: () => storage!.outbox.read({ userId: 'u1' }),
  acknowledge: (versions: { table: string; key: string; seq: number }[]) => storage!.outbox.acknowledge(versions),
  getAll: () => storage!.getAll('notes'),
  heard: () => heard.map((event) => ({ type: event.type, key: event.key, origin: event.origin })),
  close: () => storage!.close(),
}

;(window as unknown as { api: typeof api }).api = api
;(window as { ready?: boolean }).ready = true
