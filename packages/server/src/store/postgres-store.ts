import pg from 'pg'
import { migrationSql, quoteSchema } from './postgres-schema'
import { type RecordRow, toStoredRecord } from './record-row'
import type { PushTransaction, StoredBackup, StoredRecord, SyncStore } from './sync-store'
import { recordAddress } from './sync-store'

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database`. */
  connectionString: string
  /** Schema holding the tables, created on start. Default `autosync`. Tests use one schema per file. */
  schema?: string
  /** Pool size. Default 10. */
  maxConnections?: number
  /** Called with pool errors of idle connections. Default: ignored (the next query reports the failure). */
  onPoolError?: (error: Error) => void
}

// A fixed advisory lock id so instances starting together run migrations one after another.
const migrationLockId = 0x6175746f

/**
 * The production store on PostgreSQL. Pushes of one user take that user's row lock
 * (`INSERT ... ON CONFLICT DO UPDATE`), so concurrent pushes and several server instances on one database
 * apply batches one at a time per user and commit in revision order; revisions come from a sequence.
 *
 * @example const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL! })
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<SyncStore> {
  const s = quoteSchema(options.schema ?? 'autosync')
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 })
  pool.on('error', (error) => options.onPoolError?.(error))
  const migrator = await pool.connect()
  try {
    await migrator.query('SELECT pg_advisory_lock($1)', [migrationLockId])
    await migrator.query(migrationSql(s))
  } finally {
    await migrator.query('SELECT pg_advisory_unlock($1)', [migrationLockId]).catch(() => undefined)
    migrator.release()
  }

  const recordColumns = 'table_name, record_key, value, revision::text AS revision, change_id, client_seqs'

  function transactionFor(client: pg.PoolClient, userId: string): PushTransaction {
    return {
      async findBatch(batchId) {
        const result = await client.query<{ request_hash: string; response: string }>(
          `SELECT request_hash, response FROM ${s}.batches WHERE user_id = $1 AND batch_id = $2`,
          [userId, batchId],
        )
        const row = result.rows[0]
        return row ? { batchId, requestHash: row.request_hash, response: row.response } : null
      },
      async readState(changeIds, addresses) {
        // One round trip for both answers.
        const result = await client.query<{ applied: string[] | null; records: RecordRow[] | null }>(
          `SELECT
             (SELECT array_agg(change_id) FROM ${s}.applied_changes
               WHERE user_id = $1 AND change_id = ANY($2::text[])) AS applied,
             (SELECT json_agg(found) FROM (SELECT ${recordColumns} FROM ${s}.records
               WHERE user_id = $1 AND (table_name, record_key) IN (SELECT * FROM unnest($3::text[], $4::text[]))) found
             ) AS records`,
          [userId, changeIds, addresses.map((address) => address.table), addresses.map((address) => address.key)],
        )
        const row = result.rows[0]
        const records = new Map<string, StoredRecord>()
        for (const found of row?.records ?? []) {
          records.set(recordAddress(found.table_name, found.record_key), toStoredRecord(found))
        }
        return { applied: new Set(row?.applied ?? []), records }
      },
      async writeRecords(records) {
        // One JSON document for all rows: values are embedded as already-serialized text, never re-escaped.
        const rows = records.map(
          (record) =>
            `{"t":${JSON.stringify(record.table)},"k":${JSON.stringify(record.key)},"v":${record.valueText ?? 'null'},` +
            `"c":${JSON.stringify(record.changeId)},"s":${JSON.stringify(JSON.stringify(record.clientSeqs))}}`,
        )
        // Rows come out of json_to_recordset in array order, so nextval hands out revisions in that order.
        await client.query(
          `INSERT INTO ${s}.records (user_id, table_name, record_key, value, revision, change_id, client_seqs)
           SELECT $1::text, t, k, v, nextval('${s.slice(1, -1)}.revisions'), c, s
             FROM ROWS FROM (json_to_recordset($2::json) AS (t text, k text, v jsonb, c text, s text))
               WITH ORDINALITY AS rows(t, k, v, c, s, position)
             ORDER BY position
           ON CONFLICT (user_id, table_name, record_key) DO UPDATE SET value = excluded.value,
           revision = excluded.revision, change_id = excluded.change_id, client_seqs = excluded.client_seqs`,
          [userId, `[${rows.join(',')}]`],
        )
      },
      async finishBatch(appliedChangeIds, batch) {
        await client.query(
          `WITH applied AS (
             INSERT INTO ${s}.applied_changes (user_id, change_id) SELECT $1::text, unnest($2::text[])
             ON CONFLICT DO NOTHING)
           INSERT INTO ${s}.batches (user_id, batch_id, request_hash, response) VALUES ($1, $3, $4, $5)`,
          [userId, appliedChangeIds, batch.batchId, batch.requestHash, batch.response],
        )
      },
    }
  }

  type BackupRow = { backup_id: string; request_hash: string; snapshot: string; records: number }
  const toBackup = (row: BackupRow | undefined): StoredBackup | null =>
    row
      ? { backupId: row.backup_id, requestHash: row.request_hash, snapshot: row.snapshot, records: row.records }
      : null
  const backupColumns = 'backup_id, request_hash, snapshot, records'

  return {
    database: 'postgres',
    async runPushTransaction(userId, work) {
      const client = await pool.connect()
      let broken = false
      try {
        // BEGIN and the user's row lock in one round trip; the lock holds until commit: one push per user
        // at a time, on every instance.
        await client.query(
          `BEGIN; INSERT INTO ${s}.users (user_id) VALUES (${client.escapeLiteral(userId)})
           ON CONFLICT (user_id) DO UPDATE SET last_push_at = now()`,
        )
        const result = await work(transactionFor(client, userId))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true
        })
        throw error
      } finally {
        client.release(broken)
      }
    },
    async readChangesAfter(userId, afterRevision, limit) {
      const result = await pool.query<RecordRow>(
        `SELECT ${recordColumns} FROM ${s}.records WHERE user_id = $1 AND revision > $2 ORDER BY revision LIMIT $3`,
        [userId, afterRevision ?? '-1', limit],
      )
      return result.rows.map(toStoredRecord)
    },
    async saveBackup(userId, backup) {
      await pool.query(
        `INSERT INTO ${s}.backups (user_id, backup_id, request_hash, snapshot, records) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, backup_id) DO NOTHING`,
        [userId, backup.backupId, backup.requestHash, backup.snapshot, backup.records],
      )
      const result = await pool.query<BackupRow>(
        `SELECT ${backupColumns} FROM ${s}.backups WHERE user_id = $1 AND backup_id = $2`,
        [userId, backup.backupId],
      )
      return toBackup(result.rows[0])!
    },
    async readBackup(userId, backupId) {
      const result =
        backupId === null
          ? await pool.query<BackupRow>(
              `SELECT ${backupColumns} FROM ${s}.backups WHERE user_id = $1 ORDER BY sequence DESC LIMIT 1`,
              [userId],
            )
          : await pool.query<BackupRow>(
              `SELECT ${backupColumns} FROM ${s}.backups WHERE user_id = $1 AND backup_id = $2`,
              [userId, backupId],
            )
      return toBackup(result.rows[0])
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    async close() {
      await pool.end()
    },
  }
}
