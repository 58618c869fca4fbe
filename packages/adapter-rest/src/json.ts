import { parseJsonSafely } from '@autosync/core'

type Check = (value: unknown) => boolean

/** JSON.parse where `__proto__`/`constructor`/`prototype` keys never take effect; itself (no JSON value) when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return parseJsonSafely(text)
  } catch {
    return parseJson
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value)

export const isString = (value: unknown): value is string => typeof value === 'string'

export const isKey: Check = (value) => isString(value) || Number.isFinite(value)

/** `value` or `undefined`. */
export const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value)

export const orNull =
  (check: Check): Check =>
  (value) =>
    value === null || check(value)

export const arrayOf =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(check)

/** An object whose listed fields pass their checks; other fields are allowed. */
export const shape =
  (fields: Record<string, Check>): Check =>
  (value) =>
    isRecord(value) && Object.entries(fields).every(([field, check]) => check(value[field]))
