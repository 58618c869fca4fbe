import { createHash } from 'node:crypto'
import pg from 'pg'
import { migratePostgres } from './postgres-migrate'
import { createPostgresPushTransaction, pushStatements } from './postgres-push-transaction'
import { quoteSchema } from './postgres-schema'
import { type RecordRow, toStoredRecord } from './record-row'
import type { StoredBackup, SyncStore } from './sync-store'

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

/**
 * The production store on PostgreSQL. Pushes of one user take that user's row lock
 * (`INSERT ... ON CONFLICT DO UPDATE`), so concurrent pushes and several server instances on one database
 * apply batches one at a time per user and commit in revision order; revisions count per user (`users.last_revision`).
 * A push costs three round trips: BEGIN, the lock and both reads; both writes; COMMIT.
 *
 * @example const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL! })
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<SyncStore> {
  const s = quoteSchema(options.schema ?? 'autosync')
  // One NOTIFY channel per schema, short enough for PostgreSQL's 63-byte names whatever the schema is called.
  const channel = `autosync_${createHash('sha256')
    .update(options.schema ?? 'autosync')
    .digest('hex')
    .slice(0, 16)}`
  // Pipeline mode: statements a push starts together share one round trip.
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    pipeline: true,
  })
  pool.on('error', (error) => options.onPoolError?.(error))
  try {
    await migratePostgres(pool, s)
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }

  const recordColumns = 'table_name, record_key, value, revision::text AS revision, change_id, client_seqs, written_at'
  const statements = pushStatements(s)
  const listeners = new Set<pg.Client>()

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
      // Sent, not awaited: BEGIN and the user's lock travel with the work's first statements.
      const opened = Promise.all([
        client.query('BEGIN ISOLATION LEVEL READ COMMITTED'),
        client.query({ ...statements.lock, values: [userId] }),
      ])
      opened.catch(() => undefined)
      try {
        const result = await work(createPostgresPushTransaction(client, statements, userId, opened, channel))
        await opened
        const committed = await client.query('COMMIT')
        // COMMIT of a transaction in which a statement failed answers ROLLBACK, not an error.
        if (committed.command !== 'COMMIT') {
          throw new Error('[autosync] [postgres] a statement of the push failed: the transaction was rolled back')
        }
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
      // records.revision, not the text column of the same name: as text, 100 sorts before 99 and a page's
      // cursor would pass changes it never returned.
      const result = await pool.query<RecordRow>(
        `SELECT ${recordColumns} FROM ${s}.records WHERE user_id = $1 AND revision > $2 ORDER BY records.revision LIMIT $3`,
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
    async pruneBatches(createdBefore) {
      const result = await pool.query(`DELETE FROM ${s}.batches WHERE created_at < to_timestamp($1::float8 / 1000)`, [
        createdBefore,
      ])
      return result.rowCount ?? 0
    },
    async listenForCommits(onCommit, onLost) {
      // A connection of its own: LISTEN holds it for as long as anyone listens.
      const listener = new pg.Client({ connectionString: options.connectionString })
      let stopped = false
      const lost = () => {
        if (!stopped) onLost()
        stopped = true
      }
      listener.on('notification', (message) => {
        if (message.channel !== channel || !message.payload) return
        const [userId, clientId] = JSON.parse(message.payload) as [string, string]
        onCommit(userId, clientId)
      })
      listener.on('error', lost)
      listener.on('end', lost)
      await listener.connect()
      await listener.query(`LISTEN "${channel}"`)
      listeners.add(listener)
      return async () => {
        stopped = true
        listeners.delete(listener)
        await listener.end().catch(() => undefined)
      }
    },
    async ping() {
      await pool.query('SELECT 1')
    },
    async close() {
      await Promise.all([...listeners].map((listener) => listener.end().catch(() => undefined)))
      listeners.clear()
      await pool.end()
    },
  }
}
