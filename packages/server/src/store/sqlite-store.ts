import Database from 'better-sqlite3'
import { type RecordRow, toStoredRecord } from './record-row'
import { createSerialQueue } from './serial-queue'
import type { PushTransaction, StoredBackup, StoredRecord, SyncStore } from './sync-store'
import { recordAddress } from './sync-store'

export interface SqliteStoreOptions {
  /** A file path or `:memory:`. Default `:memory:`. */
  filename?: string
}

const schema = `
CREATE TABLE IF NOT EXISTS records (
  user_id TEXT NOT NULL, table_name TEXT NOT NULL, record_key TEXT NOT NULL, value TEXT,
  revision INTEGER NOT NULL, change_id TEXT NOT NULL, client_seqs TEXT NOT NULL, written_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, table_name, record_key)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_by_revision ON records (user_id, revision);
CREATE TABLE IF NOT EXISTS applied_changes (
  user_id TEXT NOT NULL, change_id TEXT NOT NULL, rejected TEXT, PRIMARY KEY (user_id, change_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS batches (
  user_id TEXT NOT NULL, batch_id TEXT NOT NULL, request_hash TEXT NOT NULL, response TEXT NOT NULL,
  created_at INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (user_id, batch_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS backups (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, backup_id TEXT NOT NULL,
  request_hash TEXT NOT NULL, snapshot TEXT NOT NULL, records INTEGER NOT NULL, UNIQUE (user_id, backup_id));
CREATE TABLE IF NOT EXISTS user_revisions (user_id TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
`

/**
 * The embedded default store: SQLite through better-sqlite3, in a file or in memory. Needs no install and
 * opens in milliseconds. Transactions are serialized in-process and use `BEGIN IMMEDIATE` so several processes
 * on one file stay correct.
 *
 * @example const store = createSqliteStore({ filename: './data.db' })
 */
export function createSqliteStore(options: SqliteStoreOptions = {}): SyncStore {
  const filename = options.filename ?? ':memory:'
  const database = new Database(filename)
  if (filename !== ':memory:') database.pragma('journal_mode = WAL')
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  database.exec(schema)
  // Files written before batch answers had an age: their answers count as the oldest and go at the first prune.
  const batchColumns = database.pragma('table_info(batches)') as { name: string }[]
  if (!batchColumns.some((column) => column.name === 'created_at')) {
    database.exec('ALTER TABLE batches ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0')
  }
  database.exec('CREATE INDEX IF NOT EXISTS batches_by_age ON batches (created_at)')
  // Files written before pulls carried the writer's clock: their records pull with timestamp 0 until rewritten.
  const recordColumns = database.pragma('table_info(records)') as { name: string }[]
  if (!recordColumns.some((column) => column.name === 'written_at')) {
    database.exec('ALTER TABLE records ADD COLUMN written_at INTEGER NOT NULL DEFAULT 0')
  }
  // Files written before rejections were settled: every row there is an applied change.
  const appliedColumns = database.pragma('table_info(applied_changes)') as { name: string }[]
  if (!appliedColumns.some((column) => column.name === 'rejected')) {
    database.exec('ALTER TABLE applied_changes ADD COLUMN rejected TEXT')
  }
  // One row per applied change is no longer kept (records carry each client's highest applied seq): older files
  // drop theirs, so the table holds only changes rejected for good.
  database.exec('DELETE FROM applied_changes WHERE rejected IS NULL')
  const exclusive = createSerialQueue()
  const statements = {
    findBatch: database.prepare('SELECT request_hash, response FROM batches WHERE user_id = ? AND batch_id = ?'),
    // '' for an applied change, the code for one rejected for good, undefined for one never seen.
    settled: database
      .prepare("SELECT coalesce(rejected, '') FROM applied_changes WHERE user_id = ? AND change_id = ?")
      .pluck(),
    readRecord: database.prepare(
      'SELECT table_name, record_key, value, revision, change_id, client_seqs, written_at FROM records WHERE user_id = ? AND table_name = ? AND record_key = ?',
    ),
    // Per user, so a revision says nothing about other users' activity. A user without a row yet (a file from
    // before, with one counter for everyone) continues above their highest revision, so no cursor passes a change.
    allocate: database
      .prepare(
        `INSERT INTO user_revisions (user_id, last)
         VALUES (@userId, (SELECT coalesce(max(revision), 0) FROM records WHERE user_id = @userId) + @count)
         ON CONFLICT (user_id) DO UPDATE SET last = last + @count RETURNING last`,
      )
      .pluck(),
    writeRecord: database.prepare(
      `INSERT INTO records (user_id, table_name, record_key, value, revision, change_id, client_seqs, written_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, table_name, record_key) DO UPDATE SET value = excluded.value,
       revision = excluded.revision, change_id = excluded.change_id, client_seqs = excluded.client_seqs,
       written_at = excluded.written_at`,
    ),
    markApplied: database.prepare(
      'INSERT OR IGNORE INTO applied_changes (user_id, change_id, rejected) VALUES (?, ?, ?)',
    ),
    saveBatch: database.prepare(
      'INSERT INTO batches (user_id, batch_id, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    pruneBatches: database.prepare('DELETE FROM batches WHERE created_at < ?'),
    readAfter: database.prepare(
      'SELECT table_name, record_key, value, revision, change_id, client_seqs, written_at FROM records WHERE user_id = ? AND revision > ? ORDER BY revision LIMIT ?',
    ),
    insertBackup: database.prepare(
      'INSERT OR IGNORE INTO backups (user_id, backup_id, request_hash, snapshot, records) VALUES (?, ?, ?, ?, ?)',
    ),
    readBackup: database.prepare(
      'SELECT backup_id, request_hash, snapshot, records FROM backups WHERE user_id = ? AND backup_id = ?',
    ),
    readLatestBackup: database.prepare(
      'SELECT backup_id, request_hash, snapshot, records FROM backups WHERE user_id = ? ORDER BY sequence DESC LIMIT 1',
    ),
    ping: database.prepare('SELECT 1').pluck(),
  }

  function transactionFor(userId: string): PushTransaction {
    return {
      async findBatch(batchId) {
        const row = statements.findBatch.get(userId, batchId) as { request_hash: string; response: string } | undefined
        return row ? { batchId, requestHash: row.request_hash, response: row.response } : null
      },
      async readState(changeIds, addresses) {
        const applied = new Set<string>()
        const rejected = new Map<string, string>()
        for (const changeId of changeIds) {
          const code = statements.settled.get(userId, changeId) as string | undefined
          if (code === undefined) continue
          applied.add(changeId)
          if (code) rejected.set(changeId, code)
        }
        const records = new Map<string, StoredRecord>()
        for (const { table, key } of addresses) {
          const row = statements.readRecord.get(userId, table, key) as RecordRow | undefined
          if (row) records.set(recordAddress(table, key), toStoredRecord(row))
        }
        return { applied, rejected, records }
      },
      async writeRecords(records) {
        const last = Number(statements.allocate.get({ userId, count: records.length }))
        const revisions: string[] = []
        records.forEach((record, index) => {
          revisions.push(String(last - records.length + 1 + index))
          statements.writeRecord.run(
            userId,
            record.table,
            record.key,
            record.valueText,
            last - records.length + 1 + index,
            record.changeId,
            JSON.stringify(record.clientSeqs),
            record.timestamp,
          )
        })
        return revisions
      },
      async finishBatch(appliedChangeIds, batch, rejected = []) {
        for (const changeId of appliedChangeIds) statements.markApplied.run(userId, changeId, null)
        for (const { changeId, code } of rejected) statements.markApplied.run(userId, changeId, code)
        statements.saveBatch.run(
          userId,
          batch.batchId,
          batch.requestHash,
          batch.response,
          batch.createdAt ?? Date.now(),
        )
      },
    }
  }

  function toBackup(row: { backup_id: string; request_hash: string; snapshot: string; records: number } | undefined) {
    return row
      ? { backupId: row.backup_id, requestHash: row.request_hash, snapshot: row.snapshot, records: row.records }
      : null
  }

  return {
    database: 'sqlite',
    runPushTransaction(userId, work) {
      return exclusive(async () => {
        database.exec('BEGIN IMMEDIATE')
        try {
          const result = await work(transactionFor(userId))
          database.exec('COMMIT')
          return result
        } catch (error) {
          if (database.inTransaction) database.exec('ROLLBACK')
          throw error
        }
      })
    },
    readChangesAfter(userId, afterRevision, limit) {
      return exclusive(() => {
        const rows = statements.readAfter.all(userId, afterRevision === null ? -1 : BigInt(afterRevision), limit)
        return (rows as RecordRow[]).map(toStoredRecord)
      })
    },
    saveBackup(userId, backup: StoredBackup) {
      return exclusive(() => {
        statements.insertBackup.run(userId, backup.backupId, backup.requestHash, backup.snapshot, backup.records)
        return toBackup(statements.readBackup.get(userId, backup.backupId) as never)!
      })
    },
    readBackup(userId, backupId) {
      return exclusive(() =>
        toBackup(
          (backupId === null
            ? statements.readLatestBackup.get(userId)
            : statements.readBackup.get(userId, backupId)) as never,
        ),
      )
    },
    pruneBatches(createdBefore) {
      return exclusive(() => statements.pruneBatches.run(createdBefore).changes)
    },
    async ping() {
      await exclusive(() => statements.ping.get())
    },
    async close() {
      await exclusive(() => database.close())
    },
  }
}
