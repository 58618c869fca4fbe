import type pg from 'pg'
import { creationSql, schemaVersion, upgradeSql } from './postgres-schema'

// A fixed advisory lock id so instances starting together migrate one after another.
const migrationLockId = 0x6175746f
// Lock waits that could block pushes end quickly; the migration tries again instead.
const lockTimeout = '2s'
const attempts = 10
// PostgreSQL's codes for a lock wait that timed out and for a deadlock: both leave nothing changed.
const retryableCodes = new Set(['55P03', '40P01'])

async function currentVersion(client: pg.PoolClient, quoted: string): Promise<number | null> {
  const exists = await client.query<{ table: string | null }>('SELECT to_regclass($1) AS table', [
    `${quoted}.schema_meta`,
  ])
  if (exists.rows[0]?.table == null) return null
  const found = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_meta`)
  return found.rows[0]?.version ?? null
}

/**
 * Brings the schema to `schemaVersion`. A current schema is only read: no DDL, no table lock, so starting an
 * instance never stalls the pushes others serve. An older one is migrated under an advisory lock, in one
 * transaction with a lock timeout, retried after a lock wait or deadlock.
 */
export async function migratePostgres(pool: pg.Pool, quoted: string): Promise<void> {
  const client = await pool.connect()
  try {
    if ((await currentVersion(client, quoted)) === schemaVersion) return
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockId])
    try {
      for (let attempt = 1; ; attempt++) {
        // Another instance may have migrated while this one waited for the advisory lock.
        if ((await currentVersion(client, quoted)) === schemaVersion) return
        try {
          await client.query(
            `BEGIN; SET LOCAL lock_timeout = '${lockTimeout}';${creationSql(quoted)}${upgradeSql(quoted)}COMMIT;`,
          )
          return
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined)
          const code = (error as { code?: string }).code
          if (!retryableCodes.has(code ?? '') || attempt >= attempts) {
            throw new Error(
              `[autosync] [server] migrating PostgreSQL schema ${quoted} to version ${schemaVersion} failed` +
                ` (attempt ${attempt} of ${attempts}): ${(error as Error).message}`,
              { cause: error },
            )
          }
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockId]).catch(() => undefined)
    }
  } finally {
    client.release()
  }
}
