import { requireOwnUser } from '../auth/authenticate'
import { HttpError } from '../http/http-error'
import { sendJson } from '../http/respond'
import { decodeRecordKey } from '../validation/names'
import type { RouteContext } from './context'

const allowedParameters = new Set(['cursor', 'limit', 'userId'])

function invalidQuery(message: string, field: string): HttpError {
  return new HttpError(400, 'invalid-query', message, { details: { field } })
}

function parsePullQuery(query: string): { cursor: string | null; limit: number; userId: string | null } {
  const parameters = new URLSearchParams(query)
  for (const name of new Set(parameters.keys())) {
    if (!allowedParameters.has(name)) {
      throw new HttpError(400, 'unknown-field', `unknown query parameter ${name}`, { details: { field: name } })
    }
    if (parameters.getAll(name).length > 1) throw invalidQuery(`${name} is given more than once`, name)
  }
  const cursor = parameters.get('cursor') || null
  // Revisions are signed 64-bit integers in both stores.
  if (cursor !== null && (!/^[0-9]{1,19}$/.test(cursor) || BigInt(cursor) > 9_223_372_036_854_775_807n)) {
    throw invalidQuery('cursor is not one this server issued', 'cursor')
  }
  const limitText = parameters.get('limit')
  const limit = limitText === null || limitText === '' ? 500 : Number(limitText)
  if (!/^[0-9]*$/.test(limitText ?? '') || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalidQuery('limit must be an integer from 1 to 1000', 'limit')
  }
  return { cursor, limit, userId: parameters.get('userId') }
}

/** `GET /pull`: the user's records changed after the cursor, in revision order, deletes as tombstones. */
export async function handlePull(context: RouteContext): Promise<void> {
  const { cursor, limit, userId } = parsePullQuery(context.query)
  requireOwnUser(userId, context.userId)
  // One row more than asked tells whether another page exists.
  const rows = await context.store.readChangesAfter(context.userId, cursor, limit + 1)
  const page = rows.slice(0, limit)
  const changes = page.map((record) => {
    const change: Record<string, unknown> = {
      table: record.table,
      key: decodeRecordKey(record.key),
      op: record.value === null ? 'delete' : 'put',
    }
    if (record.value !== null) change.value = record.value
    change.revision = record.revision
    change.changeId = record.changeId
    change.timestamp = record.timestamp
    return change
  })
  const last = page.at(-1)
  sendJson(context.response, 200, { changes, cursor: last ? last.revision : cursor, hasMore: rows.length > limit })
}
