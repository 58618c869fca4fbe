import { ValidationError } from '../errors'
import type { RecordKey, StorageEvent, StorageTransaction } from '../types'
import { isPlainObject } from '../validation'
import type { OutboxChange } from './coalesce'
import { outboxStore, versionsPerEntry } from './constants'
import { mapStorageError } from './map-error'
import {
  assertKey,
  ownerOf,
  type PreparedRecord,
  prepareRecord,
  prepareValue,
  type TableConfig,
  tableConfig,
  type WriteContext,
} from './prepare'

/** A raw readwrite transaction: the write path uses IndexedDB directly, without promise wrappers per request. */
export type WriteTransaction = IDBTransaction

/** The answer of one request; a failed request aborts the transaction, which the runner reports. */
function result<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

export interface CapturedChange {
  change: OutboxChange
  event: StorageEvent
}

/** The writes of one IndexedDB transaction and what they captured. */
export interface TransactionWriter extends StorageTransaction {
  putPrepared(record: PreparedRecord): Promise<void>
  bulkPutPrepared(table: TableConfig, records: readonly PreparedRecord[]): Promise<void>
  /** Waits for the issued requests, then writes the outbox entry; still inside the transaction. */
  flush(): Promise<void>
  readonly events: StorageEvent[]
  readonly captured: CapturedChange[]
}

const noop = () => {}

export function createWriter(transaction: WriteTransaction, context: WriteContext): TransactionWriter {
  const events: StorageEvent[] = []
  const captured: CapturedChange[] = []
  let pending: Promise<unknown>[] = []

  function track<T>(promise: Promise<T>): Promise<T> {
    promise.catch(noop)
    pending.push(promise)
    return promise
  }

  /** Runs the capture filters (synchronously, inside the transaction) and records the change. */
  function capture(table: TableConfig, event: StorageEvent, change: OutboxChange, emit = true): void {
    if (table.sync) {
      for (const filter of context.filters) {
        let verdict: false | string = false
        try {
          verdict = filter(event)
        } catch (error) {
          // A broken filter must not lose a write: the change is captured.
          context.logger.error('[autosync] [storage] a capture filter threw; the change is captured', error)
        }
        if (typeof verdict === 'string') {
          event.skipped = verdict
          break
        }
      }
      if (event.skipped === undefined) captured.push({ change, event })
    }
    if (emit) events.push(event)
  }

  function localEvent(fields: Omit<StorageEvent, 'timestamp' | 'origin'>): StorageEvent {
    return { ...fields, timestamp: context.clock.now(), origin: 'local' }
  }

  function putPrepared(record: PreparedRecord): Promise<void> {
    const store = transaction.objectStore(record.table.name)
    const previousRequest = result(store.get(record.key))
    // Capture as soon as the read answers: waiting for the put's answer too would cost a round trip.
    store.put(record.value)
    return track(
      previousRequest.then((previous) => {
        const created = previous === undefined
        const event = localEvent({
          type: created ? 'create' : 'update',
          table: record.table.name,
          key: record.key,
          value: record.value,
          previous,
          userId: record.userId,
        })
        const change: OutboxChange = {
          table: record.table.name,
          key: record.key,
          op: 'put',
          json: record.json,
          created,
          userId: record.userId,
        }
        capture(record.table, event, change)
      }),
    )
  }

  function existingKeys(table: TableConfig, records: readonly PreparedRecord[]): Promise<Set<RecordKey>> {
    const store = transaction.objectStore(table.name)
    const simple = records.every((record) => typeof record.key === 'string' || typeof record.key === 'number')
    if (!simple || records.length < 16) {
      return Promise.all(records.map((record) => result(store.getKey(record.key)))).then(
        (keys) => new Set(keys.filter((key) => key !== undefined) as RecordKey[]),
      )
    }
    // One request over the key bounds instead of one read per record.
    let lowest = records[0]!.key
    let highest = lowest
    for (const { key } of records) {
      if (compareKeys(key, lowest) < 0) lowest = key
      if (compareKeys(key, highest) > 0) highest = key
    }
    return result(store.getAllKeys(IDBKeyRange.bound(lowest, highest))).then((keys) => new Set(keys as RecordKey[]))
  }

  function bulkPutPrepared(table: TableConfig, records: readonly PreparedRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve()
    const existingRequest = existingKeys(table, records)
    const store = transaction.objectStore(table.name)
    for (const record of records) store.put(record.value)
    return track(
      existingRequest.then((existing) => {
        for (const record of records) {
          const created = !existing.has(record.key)
          existing.add(record.key)
          const event = localEvent({
            type: created ? 'create' : 'update',
            table: table.name,
            key: record.key,
            value: record.value,
            userId: record.userId,
          })
          capture(table, event, {
            table: table.name,
            key: record.key,
            op: 'put',
            json: record.json,
            created,
            userId: record.userId,
          })
        }
      }),
    )
  }

  function keyOf(table: TableConfig, key: unknown): RecordKey {
    assertKey(table, key)
    return key
  }

  const writer: TransactionWriter = {
    events,
    captured,
    putPrepared,
    bulkPutPrepared,

    async get(table, key) {
      const config = tableConfig(context, table)
      return result(transaction.objectStore(config.name).get(keyOf(config, key)))
    },

    async put(table, value) {
      return putPrepared(prepareRecord(context, table, value))
    },

    async add(table, value) {
      const record = prepareRecord(context, table, value)
      const addRequest = transaction.objectStore(record.table.name).add(record.value)
      const request = result(addRequest).then(
        () => {
          const event = localEvent({
            type: 'create',
            table: record.table.name,
            key: record.key,
            value: record.value,
            userId: record.userId,
          })
          capture(record.table, event, {
            table: record.table.name,
            key: record.key,
            op: 'put',
            json: record.json,
            created: true,
            userId: record.userId,
          })
        },
        (error: unknown) => {
          if ((error as { name?: string })?.name !== 'ConstraintError') throw mapStorageError(error, 'add')
          // The transaction aborts on this failure either way; the error names the key.
          throw new ValidationError(`[storage] add: "${record.table.name}" already has a record with this key`, {
            table: record.table.name,
            key: record.key,
            field: record.table.keyPath,
          })
        },
      )
      return track(request)
    },

    async update(table, key, changes) {
      const config = tableConfig(context, table)
      const recordKey = keyOf(config, key)
      if (!isPlainObject(changes)) {
        throw new ValidationError(`[storage] update: changes to "${config.name}" must be a plain object`, {
          table: config.name,
          key: recordKey,
          field: 'changes',
        })
      }
      if (config.keyPath in changes && changes[config.keyPath] !== recordKey) {
        throw new ValidationError(`[storage] update cannot change the key of a "${config.name}" record`, {
          table: config.name,
          key: recordKey,
          field: config.keyPath,
        })
      }
      const store = transaction.objectStore(config.name)
      const previous = await track(result(store.get(recordKey)))
      if (previous === undefined) {
        throw new ValidationError(`[storage] update: "${config.name}" has no record with this key`, {
          table: config.name,
          key: recordKey,
          field: config.keyPath,
        })
      }
      // Spread defines own properties, so a `__proto__` key stays data and never reaches a prototype.
      const next = { ...previous, ...changes }
      const record = prepareValue(context, config, next, recordKey)
      const changedFields = Object.keys(changes)
      store.put(next)
      const event = localEvent({
        type: 'update',
        table: config.name,
        key: recordKey,
        value: next,
        previous,
        changedFields,
        userId: record.userId,
      })
      capture(config, event, {
        table: config.name,
        key: recordKey,
        op: 'put',
        json: record.json,
        changedFields,
        created: false,
        userId: record.userId,
      })
      return next as never
    },

    async delete(table, key) {
      const config = tableConfig(context, table)
      const recordKey = keyOf(config, key)
      const store = transaction.objectStore(config.name)
      const previousRequest = result(store.get(recordKey))
      store.delete(recordKey)
      await track(
        previousRequest.then((previous) => {
          // Deleting a missing record changes nothing: no change, no event.
          if (previous === undefined) return
          const userId = ownerOf(context, previous)
          const event = localEvent({ type: 'delete', table: config.name, key: recordKey, previous, userId })
          capture(config, event, { table: config.name, key: recordKey, op: 'delete', created: false, userId })
        }),
      )
    },

    async clear(table) {
      const config = tableConfig(context, table)
      const store = transaction.objectStore(config.name)
      // Owners are needed to partition the deletes by user; keys suffice without a userIdField.
      const existing = result<unknown[]>(
        (context.userIdField ? store.getAll() : store.getAllKeys()) as IDBRequest<unknown[]>,
      )
      const keyPath = config.keyPath
      store.clear()
      await track(
        existing.then((rows) => {
          for (const row of rows as unknown[]) {
            const previous = context.userIdField ? (row as Record<string, unknown>) : undefined
            const key = (previous ? previous[keyPath] : row) as RecordKey
            const userId = ownerOf(context, previous)
            const event = localEvent({ type: 'delete', table: config.name, key, previous, userId })
            capture(config, event, { table: config.name, key, op: 'delete', created: false, userId }, false)
          }
          events.push(localEvent({ type: 'clear', table: config.name, userId: context.activeUserId() }))
        }),
      )
    },

    async flush() {
      while (pending.length > 0) {
        const batch = pending
        pending = []
        await Promise.all(batch)
      }
      const requests: Promise<IDBValidKey>[] = []
      if (captured.length > 0) {
        const store = transaction.objectStore(outboxStore)
        const timestamp = context.clock.now()
        for (let start = 0; start < captured.length; start += versionsPerEntry) {
          const changes = captured.slice(start, start + versionsPerEntry).map((entry) => entry.change)
          requests.push(result(store.add({ timestamp, changes })))
        }
      }
      // Nothing else will be written: committing now saves a round trip before IndexedDB would auto-commit.
      transaction.commit?.()
      const ids = await Promise.all(requests)
      captured.forEach((entry, index) => {
        const id = ids[Math.floor(index / versionsPerEntry)] as number
        entry.event.seq = id * versionsPerEntry + (index % versionsPerEntry)
      })
    },
  }
  return writer
}

/** IndexedDB key order for strings and numbers: every number sorts before every string. */
function compareKeys(left: RecordKey, right: RecordKey): number {
  if (typeof left !== typeof right) return typeof left === 'number' ? -1 : 1
  return left < right ? -1 : left > right ? 1 : 0
}
