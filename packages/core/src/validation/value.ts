import { ValidationError } from '../errors'
import { utf8Length } from './key'

/** A record must be a plain object: structured clone keeps class instances only as data. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** Where and why a nested value cannot travel as JSON, or `undefined`. `undefined` itself is allowed: JSON drops it. */
function findProblem(
  value: unknown,
  path: string,
  ancestors: unknown[],
): { path: string; problem: string } | undefined {
  const kind = typeof value
  let problem: string | undefined
  if (kind === 'function' || kind === 'symbol' || kind === 'bigint') problem = `is a ${kind}`
  else if (kind === 'number' && !Number.isFinite(value)) problem = 'is not a finite number'
  else if (kind !== 'object' || value === null || value instanceof Date) return undefined
  else if (ancestors.includes(value)) problem = 'is a circular reference'
  // 64 levels at most (the reference server's maxDepth), which also bounds this recursion.
  else if (ancestors[63]) problem = 'is over 64 deep'
  else if (!Array.isArray(value) && !isPlainObject(value)) problem = 'is not a plain object'
  else {
    ancestors.push(value)
    const record = value as Record<string, unknown>
    for (const field of Object.keys(record)) {
      const found = findProblem(record[field], `${path}.${field}`, ancestors)
      if (found) return found
    }
    ancestors.pop()
  }
  return problem === undefined ? undefined : { path, problem }
}

/**
 * Checks a synced record is JSON-representable and small enough; returns its JSON text, which the
 * outbox stores so a later mutation of the app's object cannot change what is pushed.
 */
export function serializeRecord(table: string, key: unknown, value: Record<string, unknown>, maxBytes: number): string {
  const found = findProblem(value, 'value', [])
  if (found) {
    throw new ValidationError(`[storage] ${found.path} of "${table}" record ${found.problem}`, {
      table,
      key,
      field: found.path,
    })
  }
  const json = JSON.stringify(value)
  // Most records are far below the limit: only count bytes when the text could exceed it.
  if (json.length * 3 > maxBytes && utf8Length(json) > maxBytes) {
    throw new ValidationError(`[storage] "${table}" record is over maxRecordBytes (${maxBytes})`, {
      table,
      key,
      field: 'value',
    })
  }
  return json
}
