import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createPostgresStore } from '../../src/store/postgres-store'
import { createSqliteStore } from '../../src/store/sqlite-store'
import type { SyncStore } from '../../src/store/sync-store'

/** One storage backend the behavioural suite runs on. */
export interface BackendLane {
  name: 'sqlite' | 'postgres'
  /** Opens the file's store. Postgres lanes share one schema per test file, dropped in `dispose`. */
  openStore(): Promise<SyncStore>
  /** Whether a second store on the same data exists (two server instances on one database). */
  sharesDatabase: boolean
  /** How many sessions of this database wait for a lock right now; only where two stores can contend. */
  lockWaiters?(): Promise<number>
  dispose(): Promise<void>
}

/** SQLite in a temporary file, so a second store (a second server instance) can open the same database. */
export function sqliteLane(): BackendLane {
  const directory = mkdtempSync(join(tmpdir(), 'autosync-server-'))
  const filename = join(directory, 'sync.db')
  const stores: SyncStore[] = []
  return {
    name: 'sqlite',
    sharesDatabase: true,
    async openStore() {
      const store = createSqliteStore({ filename })
      stores.push(store)
      return store
    },
    async dispose() {
      await Promise.all(stores.map((store) => store.close()))
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

/**
 * The Postgres lane from `AUTOSYNC_POSTGRES_URL`, in a fresh schema for this file; null when the variable is unset
 * outside CI (with a visible warning). In CI a missing database is a failure, never a skip.
 */
/** `AUTOSYNC_POSTGRES_URL`; unset, a visible skip (`undefined`) outside CI and a failure in CI. */
export function postgresUrl(fileLabel: string): string | undefined {
  const url = process.env.AUTOSYNC_POSTGRES_URL
  if (!url) {
    if (process.env.CI)
      throw new Error('[autosync] [server] CI is set but AUTOSYNC_POSTGRES_URL is not: the Postgres lane cannot run')
    console.warn(`[autosync] [server] ${fileLabel}: AUTOSYNC_POSTGRES_URL is unset, skipping the PostgreSQL lane`)
  }
  return url
}

export function postgresLane(fileLabel: string): BackendLane | null {
  const url = postgresUrl(fileLabel)
  if (!url) return null
  const schema = `autosync_test_${fileLabel.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`
  const stores: SyncStore[] = []
  return {
    name: 'postgres',
    sharesDatabase: true,
    async openStore() {
      const store = await createPostgresStore({ connectionString: url, schema })
      stores.push(store)
      return store
    },
    async lockWaiters() {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        const { rows } = await client.query<{ waiting: number }>(
          "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        return rows[0]!.waiting
      } finally {
        await client.end()
      }
    },
    async dispose() {
      await Promise.all(stores.map((store) => store.close()))
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    },
  }
}
