import { HttpError, invalidBody } from '../http/http-error'
import { hasLoneSurrogate } from './names'
import { expectNonNegativeInteger, expectObject, expectOptionalUserId, expectString, isPlainObject } from './shape'

export interface IncomingChange {
  changeId: string
  table: string
  key: string | number
  op: 'put' | 'delete'
  value: unknown
  changedFields: string[] | undefined
  seq: number
  timestamp: number
  /** Two-way sync: the revision the device last saw (`null`: never saw the record). Accepted; not yet enforced. */
  baseRevision: string | null | undefined
}

/** A change whose own fields are malformed: answered as a per-change rejection, the rest of its batch applies. */
export interface MalformedChange {
  changeId: string
  code: 'invalid-change'
  reason: string
}

export interface IncomingBatch {
  batchId: string
  clientId: string
  userId: string | null
  changes: (IncomingChange | MalformedChange)[]
}

const batchFields = ['batchId', 'clientId', 'userId', 'changes'] as const
const changeFields = [
  'changeId',
  'table',
  'key',
  'op',
  'value',
  'changedFields',
  'seq',
  'timestamp',
  'baseRevision',
] as const

function parseChange(raw: unknown, field: string): IncomingChange {
  const change = expectObject(raw, field, changeFields)
  const table = change.table
  if (typeof table !== 'string') throw invalidBody(`${field}.table`, 'must be a string')
  const key = change.key
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw invalidBody(`${field}.key`, 'must be a string or a number')
  }
  if (change.op !== 'put' && change.op !== 'delete') throw invalidBody(`${field}.op`, "must be 'put' or 'delete'")
  let changedFields: string[] | undefined
  if (change.changedFields !== undefined) {
    const fields = change.changedFields
    if (!Array.isArray(fields) || fields.some((name) => typeof name !== 'string' || hasLoneSurrogate(name))) {
      throw invalidBody(`${field}.changedFields`, 'must be an array of strings without lone surrogates')
    }
    changedFields = fields as string[]
  }
  const baseRevision = change.baseRevision
  if (baseRevision !== undefined && baseRevision !== null && typeof baseRevision !== 'string') {
    throw invalidBody(`${field}.baseRevision`, 'must be a string or null')
  }
  return {
    changeId: expectString(change.changeId, `${field}.changeId`),
    table,
    key,
    op: change.op,
    value: change.value,
    changedFields,
    seq: expectNonNegativeInteger(change.seq, `${field}.seq`),
    timestamp: expectNonNegativeInteger(change.timestamp, `${field}.timestamp`),
    baseRevision,
  }
}

/** Checks the shape of a `POST /push` body; 400 naming the first offending field. */
export function parsePushBody(raw: unknown): IncomingBatch {
  const body = expectObject(raw, '(body)', batchFields)
  const batchId = expectString(body.batchId, 'batchId')
  const clientId = expectString(body.clientId, 'clientId')
  const userId = expectOptionalUserId(body.userId, 'userId')
  if (!Array.isArray(body.changes)) throw invalidBody('changes', 'must be an array')
  const seen = new Set<string>()
  const changes = body.changes.map((raw, index): IncomingChange | MalformedChange => {
    const field = `changes[${index}]`
    // Without a usable changeId a change cannot be answered on its own: the batch is refused.
    const changeId = expectString(isPlainObject(raw) ? raw.changeId : undefined, `${field}.changeId`)
    if (seen.has(changeId)) {
      throw new HttpError(400, 'duplicate-change-id', `${field}.changeId ${changeId} appears twice in this batch`, {
        details: { field: `${field}.changeId` },
      })
    }
    seen.add(changeId)
    try {
      return parseChange(raw, field)
    } catch (error) {
      if (error instanceof HttpError) return { changeId, code: 'invalid-change', reason: error.message }
      throw error
    }
  })
  return { batchId, clientId, userId, changes }
}

export { isPlainObject }
