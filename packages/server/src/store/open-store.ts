import { createPostgresStore } from './postgres-store'
import { createSqliteStore } from './sqlite-store'
import type { SyncStore } from './sync-store'

/**
 * Opens a store from a database URL: `sqlite:./data.db`, `sqlite::memory:`, or `postgres://…`
 * (`postgresql://…`). Postgres tables go to `schema` (default `autosync`).
 */
export async function openStore(url: string, options: { schema?: string } = {}): Promise<SyncStore> {
  if (url.startsWith('sqlite:')) return createSqliteStore({ filename: url.slice('sqlite:'.length) || ':memory:' })
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return createPostgresStore({ connectionString: url, ...(options.schema ? { schema: options.schema } : {}) })
  }
  throw new TypeError('[autosync] [server] --db must be sqlite:<file>, sqlite::memory: or postgres://…')
}
