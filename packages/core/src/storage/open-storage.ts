import { ValidationError } from '../errors'
import { consoleLogger, systemClock } from '../runtime/defaults'
import { internals } from '../runtime/internals'
import { createListeners } from '../runtime/listeners'
import type {
  CaptureFilter,
  Logger,
  Storage,
  StorageEvent,
  StorageLifecycleEvent,
  StorageOptions,
  StorageSchema,
  StorageTransaction,
} from '../types'
import { assertValidOptions } from '../validation'
import { openTabChannel, type TabMessage } from './broadcast'
import { changeIdentity } from './coalesce'
import { createConnection } from './connection'
import { createDeadLetterStore } from './dead-letters'
import { createEventBus } from './event-bus'
import { createMetadataStore, loadClientId } from './metadata'
import { createOutbox } from './outbox'
import { assertKey, type TableConfig, tableConfig, type WriteContext } from './prepare'
import { storeRequest } from './request'
import { createTransactionRunner } from './transaction-runner'
import type { TransactionWriter } from './writer'

/**
 * Opens (creating or upgrading) an IndexedDB database whose writes are captured in a transactional
 * outbox. Defaults: `maxRecordBytes` 1 MiB, `strictKeys` true, `blockedTimeoutMs` 10,000,
 * `activeUserId` null, `broadcast` true, `logger` consoleLogger (warnings and errors), `indexedDB` the global factory.
 *
 * @example
 * const storage = await openStorage<AppSchema>({ name: 'app', version: 1, tables: { notes: { keyPath: 'id' } } })
 * await storage.put('notes', { id: 'n1', text: 'hello' })
 */
export async function openStorage<S extends StorageSchema = StorageSchema>(
  options: StorageOptions<S>,
): Promise<Storage<S>> {
  assertValidOptions(options as StorageOptions)
  const factory = options.indexedDB ?? globalThis.indexedDB
  if (!factory) {
    throw new ValidationError('[storage] no IndexedDB: pass options.indexedDB (Node: "fake-indexeddb")', {
      field: 'options.indexedDB',
    })
  }
  const logger: Logger = options.logger ?? consoleLogger
  const clock = options.clock ?? systemClock
  const strictDefault = options.strictKeys ?? true
  const tables = new Map<string, TableConfig>()
  for (const [name, definition] of Object.entries(options.tables)) {
    tables.set(name, {
      name,
      keyPath: definition.keyPath,
      strictKeys: definition.strictKeys ?? strictDefault,
      sync: definition.sync !== false,
    })
  }
  let activeUserId = options.activeUserId ?? null
  const filters = new Set<CaptureFilter>()
  const context: WriteContext = {
    tables,
    maxRecordBytes: options.maxRecordBytes ?? 1024 * 1024,
    userIdField: options.userIdField,
    activeUserId: () => activeUserId,
    filters,
    clock,
    logger,
    isKey(key) {
      try {
        factory.cmp(key, key)
        return true
      } catch {
        return false
      }
    },
  }
  const bus = createEventBus(logger)
  const lifecycle = createListeners<StorageLifecycleEvent>(logger, () => '[storage] a lifecycle listener')
  const connection = createConnection(options as StorageOptions, factory, clock, lifecycle.emit)
  const database = () => connection.database()
  const captured = (seq: number, userIds: (string | null)[], origin: 'local' | 'tab' = 'local', keys?: number) =>
    lifecycle.emit({ type: 'captured', seq, userIds, origin, keys })

  const channel =
    options.broadcast === false
      ? undefined
      : openTabChannel(options.name, logger, (message: TabMessage) => {
          bus.emit(message.events.map((event) => ({ ...event, origin: 'tab' as const })))
          if (message.seq !== undefined) captured(message.seq, message.userIds, 'tab')
        })

  /** Delivers a committed transaction's events here and to other tabs, and its captures to the engine. */
  function announce(events: StorageEvent[], seq?: number, userIds: (string | null)[] = [], keys?: number): void {
    bus.emit(events)
    if (seq !== undefined) captured(seq, userIds, 'local', keys)
    channel?.post({ events, seq, userIds })
  }

  function publish({ events, captured: changes }: TransactionWriter): void {
    // Versions grow in capture order, so the last captured change holds the highest.
    if (events.length > 0)
      announce(
        events,
        changes.at(-1)?.event.seq,
        [...new Set(changes.map((entry) => entry.change.userId))],
        new Set(changes.map(({ change }) => changeIdentity(null, change.table, change.key))).size,
      )
  }

  const run = createTransactionRunner({ context, database, publish })
  let clientId: string
  try {
    clientId = await loadClientId(database, `opening "${options.name}"`)
  } catch (error) {
    connection.close()
    channel?.close()
    throw error
  }

  const read = <T>(action: string, table: string, request: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> =>
    storeRequest(database, action, tableConfig(context, table).name, 'readonly', request)

  // Each write runs in its own transaction through the writer, which validates before any request.
  const write =
    (action: 'put' | 'add' | 'update' | 'delete' | 'clear' | 'bulkPut') =>
    (table: string, ...rest: unknown[]) =>
      run([table], action, (writer) => (writer[action] as (...args: unknown[]) => Promise<never>)(table, ...rest))

  const storage = {
    name: options.name,
    clientId,
    syncedTables: [...tables.values()].filter((table) => table.sync).map((table) => table.name),
    userIdField: options.userIdField,
    events: { on: bus.on, onAny: bus.onAny, onCommit: bus.onCommit },
    outbox: createOutbox(database),
    deadLetters: createDeadLetterStore({
      database,
      syncedTable: (table) => tables.get(table)?.sync === true,
      now: () => clock.now(),
      captured: (seq, userId) => captured(seq, [userId]),
    }),
    metadata: createMetadataStore(database),

    async get(table, key) {
      assertKey(context, tableConfig(context, table), key)
      return read('get', table, (store) => store.get(key))
    },
    getAll: async (table, query, count) => read('getAll', table, (store) => store.getAll(query, count)),
    count: async (table, query) => read('count', table, (store) => store.count(query ?? undefined)),
    put: write('put'),
    add: write('add'),
    update: write('update'),
    delete: write('delete'),
    clear: write('clear'),
    bulkPut: write('bulkPut'),
    transaction(tablesOfTransaction, callback) {
      return run(tablesOfTransaction, 'transaction', (writer) => callback(writer as StorageTransaction))
    },
    setActiveUser(userId) {
      activeUserId = userId
    },
    addCaptureFilter(filter) {
      filters.add(filter)
      return () => {
        filters.delete(filter)
      }
    },
    onLifecycle: (listener) => lifecycle.subscribe(listener),
    close() {
      channel?.close()
      connection.close()
    },
    // For the two-way entry: raw transactions over the same connection, validation context and event delivery.
    [internals]: { database, context, announce },
  } as Storage
  return storage as unknown as Storage<S>
}
