import type { RecordKey, StorageEvent, StorageTransaction } from '../types'
import { isPlainObject } from '../validation'
import type { OutboxChange } from './coalesce'
import { addToOutbox, outboxChange } from './outbox-entry'
import {
  assertKey,
  invalid,
  ownerOf,
  type PreparedRecord,
  prepareRecord,
  prepareValue,
  type TableConfig,
  tableConfig,
  type WriteContext,
} from './prepare'
import { result } from './request'

export interface CapturedChange {
  change: OutboxChange
  event: StorageEvent
}

/** The writes of one IndexedDB transaction and what they captured. */
export interface TransactionWriter extends StorageTransaction {
  bulkPut(table: string, values: unknown): Promise<void>
  /** Waits for the reads writes depend on, then writes the outbox entry and commits. */
  flush(): Promise<void>
  readonly events: StorageEvent[]
  readonly captured: CapturedChange[]
}

type EventFields = Pick<StorageEvent, 'type' | 'key' | 'value' | 'previous' | 'changedFields' | 'userId'>

const noop = () => {}

/** IndexedDB key order for strings and numbers: every number sorts before every string. */
function compareKeys(left: RecordKey, right: RecordKey): number {
  if (typeof left !== typeof right) return typeof left === 'number' ? -1 : 1
  return left < right ? -1 : left > right ? 1 : 0
}

/**
 * Writes through raw requests (no promise per put). Only the reads a change depends on (did the record
 * exist?) are awaited, so the outbox entry and the commit follow the writes without a round trip.
 */
export function createWriter(transaction: IDBTransaction, context: WriteContext): TransactionWriter {
  const events: StorageEvent[] = []
  const captured: CapturedChange[] = []
  let pending: Promise<unknown>[] = []

  function track<T>(promise: Promise<T>): Promise<T> {
    promise.catch(noop)
    pending.push(promise)
    return promise
  }

  const store = (table: TableConfig) => transaction.objectStore(table.name)

  /** The table's config and the validated key. */
  function locate(table: string, key: unknown): [TableConfig, RecordKey] {
    const config = tableConfig(context, table)
    assertKey(context, config, key)
    return [config, key]
  }

  /** Builds and queues the event, runs the capture filters synchronously and records the outbox change. */
  function capture(table: TableConfig, fields: EventFields, json?: string): void {
    const event: StorageEvent = { ...fields, table: table.name, timestamp: context.clock.now(), origin: 'local' }
    events.push(event)
    if (!table.sync) return
    for (const filter of context.filters) {
      let verdict: false | string = false
      try {
        verdict = filter(event)
      } catch (error) {
        // A broken filter must not lose a write: the change is captured.
        context.logger.error('[autosync] [storage] a capture filter threw', error)
      }
      if (typeof verdict === 'string') {
        event.skipped = verdict
        return
      }
    }
    const { type, key, userId, changedFields } = fields
    const change = outboxChange({
      table: table.name,
      key: key!,
      userId,
      op: type === 'delete' ? 'delete' : 'put',
      json,
      created: type === 'create',
      changedFields,
    })
    captured.push({ change, event })
  }

  /** Captures a put as a create or an update, depending on whether the record existed. */
  const capturePut = (
    { table, key, value, userId, json }: PreparedRecord,
    existed: boolean,
    previous?: Record<string, unknown>,
  ) => capture(table, { type: existed ? 'update' : 'create', key, value, previous, userId }, json)

  function existingKeys(table: TableConfig, records: readonly PreparedRecord[]): Promise<Set<unknown>> {
    const target = store(table)
    if (records.length < 16 || records.some(({ key }) => typeof key !== 'string' && typeof key !== 'number')) {
      return Promise.all(records.map(({ key }) => result(target.getKey(key)))).then((keys) => new Set(keys))
    }
    // One request over the key bounds instead of one read per record.
    let lowest = records[0]!.key
    let highest = lowest
    for (const { key } of records) {
      if (compareKeys(key, lowest) < 0) lowest = key
      if (compareKeys(key, highest) > 0) highest = key
    }
    return result(target.getAllKeys(IDBKeyRange.bound(lowest, highest))).then((keys) => new Set(keys))
  }

  return {
    events,
    captured,

    async get(table, key) {
      const [config, recordKey] = locate(table, key)
      return result(store(config).get(recordKey))
    },

    async put(table, value) {
      const record = prepareRecord(context, table, value)
      const target = store(record.table)
      const previous = result(target.get(record.key))
      target.put(record.value)
      await track(previous.then((previous) => capturePut(record, previous !== undefined, previous)))
    },

    async bulkPut(table, values) {
      const config = tableConfig(context, table)
      if (!Array.isArray(values)) throw invalid(config, undefined, 'bulkPut needs an array of records', 'values')
      const records = values.map((value) => prepareValue(context, config, value))
      const existing = existingKeys(config, records)
      const target = store(config)
      for (const record of records) target.put(record.value)
      await track(
        existing.then((keys) => {
          for (const record of records) {
            capturePut(record, keys.has(record.key))
            keys.add(record.key)
          }
        }),
      )
    },

    async add(table, value) {
      const record = prepareRecord(context, table, value)
      await track(
        result(store(record.table).add(record.value)).then(
          () => capturePut(record, false),
          (error: DOMException) => {
            // The transaction aborts on this failure either way; the error names the key.
            throw error?.name === 'ConstraintError' ? invalid(record.table, record.key, 'add: the key exists') : error
          },
        ),
      )
    },

    async update(table, key, changes) {
      const [config, recordKey] = locate(table, key)
      if (!isPlainObject(changes)) throw invalid(config, recordKey, 'update: changes must be a plain object', 'changes')
      if (config.keyPath in changes && changes[config.keyPath] !== recordKey) {
        throw invalid(config, recordKey, 'update cannot change the key')
      }
      const previous = await track(result(store(config).get(recordKey)))
      if (previous === undefined) throw invalid(config, recordKey, 'update: no record with this key')
      // Spread defines own properties, so a `__proto__` key stays data and never reaches a prototype.
      const value = { ...previous, ...changes }
      const { userId, json } = prepareValue(context, config, value, recordKey)
      store(config).put(value)
      capture(
        config,
        { type: 'update', key: recordKey, value, previous, changedFields: Object.keys(changes), userId },
        json,
      )
      return value as never
    },

    async delete(table, key) {
      const [config, recordKey] = locate(table, key)
      const previousRequest = result(store(config).get(recordKey))
      store(config).delete(recordKey)
      await track(
        previousRequest.then((previous) => {
          // Deleting a missing record changes nothing: no change, no event.
          if (previous !== undefined) {
            capture(config, { type: 'delete', key: recordKey, previous, userId: ownerOf(context, previous) })
          }
        }),
      )
    },

    async clear(table) {
      const config = tableConfig(context, table)
      const target = store(config)
      // Owners partition the deletes by user; keys suffice without a userIdField.
      const existing = result((context.userIdField ? target.getAll() : target.getAllKeys()) as IDBRequest<unknown[]>)
      target.clear()
      await track(
        existing.then((rows) => {
          const eventCount = events.length
          for (const row of rows) {
            const previous = context.userIdField ? (row as Record<string, unknown>) : undefined
            const key = (previous ? previous[config.keyPath] : row) as RecordKey
            capture(config, { type: 'delete', key, previous, userId: ownerOf(context, previous) })
          }
          // Listeners get one clear event, not one per deleted record; the outbox keeps every delete.
          events.length = eventCount
          events.push({
            type: 'clear',
            table: config.name,
            userId: context.activeUserId(),
            timestamp: context.clock.now(),
            origin: 'local',
          })
        }),
      )
    },

    async flush() {
      while (pending.length > 0) {
        const batch = pending
        pending = []
        await Promise.all(batch)
      }
      const added = addToOutbox(
        transaction,
        context.clock.now(),
        captured.map((entry) => entry.change),
      )
      // Nothing else will be written: committing now saves a round trip before IndexedDB would auto-commit.
      transaction.commit?.()
      const seqs = await added
      captured.forEach((entry, index) => {
        entry.event.seq = seqs[index]
      })
    },
  }
}
