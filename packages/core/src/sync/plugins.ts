import type { SyncPlugin } from '../types'

/**
 * Keeps whole tables out of the outbox (local-only data such as caches or checkpoints).
 * @example skipTables(['checkpoints', 'conversationMemories'])
 */
export function skipTables(names: readonly string[]): SyncPlugin {
  const skipped = new Set(names)
  return { name: 'skip-tables', skip: (event) => skipped.has(event.table) && `table ${event.table} is local-only` }
}

/**
 * Never pushes a record whose `userIdField` names a user other than the active one with the active user's
 * credentials. Written while another user is active, such a record is queued under its owner and pushed once that
 * user is active again (DESIGN's `switchUser`); only a queued change (one with a version) is ever skipped.
 */
export function skipForeignUsers(): SyncPlugin {
  return {
    name: 'skip-foreign-users',
    skip: (event, context) =>
      event.seq !== undefined && event.userId !== null && event.userId !== context.userId && 'record of another user',
  }
}
