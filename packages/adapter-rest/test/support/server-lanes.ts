import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPostgresStore, createSqliteStore, type SyncStore } from '@autosync/server'
import pg from 'pg'

/** A database the real `@autosync/server` runs on in these tests. */
export interface ServerLane {
  name: 'sqlite' | 'postgres'
  store: SyncStore
  /** PostgreSQL: the lane's schema, for a second store (a second server instance) on the same data. */
  schema?: string
  dispose(): Promise<void>
}

/** SQLite in a temporary file. */
export function sqliteLane(): ServerLane {
  const directory = mkdtempSync(join(tmpdir(), 'autosync-adapter-rest-'))
  const store = createSqliteStore({ filename: join(directory, 'sync.db') })
  return {
    name: 'sqlite',
    store,
    async dispose() {
      await store.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

/**
 * PostgreSQL from `AUTOSYNC_POSTGRES_URL` in a fresh schema, dropped afterwards. Unset: a visible skip outside
 * CI, a failure in CI.
 */
export async function postgresLane(): Promise<ServerLane | null> {
  const url = process.env.AUTOSYNC_POSTGRES_URL
  if (!url) {
    if (process.env.CI)
      throw new Error('[autosync] [rest] CI is set but AUTOSYNC_POSTGRES_URL is not: the PostgreSQL lane cannot run')
    console.warn('[autosync] [rest] AUTOSYNC_POSTGRES_URL is unset: skipping the PostgreSQL conformance lane')
    return null
  }
  const schema = `autosync_rest_${randomBytes(4).toString('hex')}`
  const store = await createPostgresStore({ connectionString: url, schema })
  return {
    name: 'postgres',
    store,
    schema,
    async dispose() {
      await store.close()
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await client.end()
    },
  }
}
