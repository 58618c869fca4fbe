import type { PullResponse, RemoteChange, SyncAdapter } from '@autosync/core'
import { adapterContext } from './context'

/** Pulls every page from `cursor`, returning the changes and the last cursor. */
export async function pullAll(adapter: SyncAdapter, userId: string, cursor: string | null, limit = 500) {
  const changes: RemoteChange[] = []
  let response: PullResponse
  do {
    response = await adapter.pull!({ cursor, limit, userId }, adapterContext(userId, 'reader'))
    changes.push(...response.changes)
    cursor = response.cursor
  } while (response.hasMore)
  return { changes, cursor }
}

/** Applies remote changes to a table → key → value state, the way a device would. */
export function fold(state: Map<string, unknown>, changes: RemoteChange[]) {
  for (const change of changes) {
    const id = `${change.table}/${String(change.key)}`
    if (change.op === 'delete') state.delete(id)
    else state.set(id, change.value)
  }
  return state
}
