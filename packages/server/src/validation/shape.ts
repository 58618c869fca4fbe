import { invalidBody, unknownField } from '../http/http-error'
import { hasLoneSurrogate } from './names'

export type JsonObject = Record<string, unknown>

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** 400 `invalid-body` unless `value` is an object; 400 `unknown-field` when it holds a key outside `allowed`. */
export function expectObject(value: unknown, field: string, allowed: readonly string[]): JsonObject {
  if (!isPlainObject(value)) throw invalidBody(field, 'must be an object')
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw unknownField(field === '(body)' ? key : `${field}.${key}`)
  }
  return value
}

export function expectString(value: unknown, field: string, maxLength = 256): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > maxLength ||
    value.includes('\u0000') ||
    hasLoneSurrogate(value)
  ) {
    throw invalidBody(
      field,
      `must be a non-empty string of at most ${maxLength} characters, without U+0000 or lone surrogates`,
    )
  }
  return value
}

export function expectNonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidBody(field, 'must be a non-negative integer')
  }
  return value
}

export function expectOptionalUserId(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null
  return expectString(value, field)
}
