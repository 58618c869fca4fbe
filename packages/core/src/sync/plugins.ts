import type { SyncPlugin } from '../types'

/**
 * Keeps whole tables out of the outbox (local-only data such as caches or checkpoints).
 * @example skipTables(['checkpoints', 'conversationMemories'])
 */
export function skipTables(names: readonly string[]): SyncPlugin {
  const skipped = new Set(names)
  return { name: 'skip-tables', skip: (event) => skipped.has(event.table) && `table ${event.table} is local-only` }
}

/** Skips records whose `userIdField` names a user other than the active one. */
export function skipForeignUsers(): SyncPlugin {
  return {
    name: 'skip-foreign-users',
    skip: (event, context) => event.userId !== null && event.userId !== context.userId && 'record of another user',
  }
}
