import { ValidationError } from '../errors'

const maxKeyBytes = 512
// Cc covers C0, DEL and C1 controls; a lone surrogate is the only way to match Cs in a `u` regex.
const unsafeCharacter = /[\p{Cc}\p{Cs}/\\]/u

/** UTF-8 length of a string (lone surrogates count 3, as TextEncoder replaces them). */
export const utf8Length = (text: string): number => new TextEncoder().encode(text).length

/** Why a key cannot be addressed by every adapter, or `undefined` when it can. */
function strictKeyProblem(key: unknown): string | undefined {
  if (typeof key === 'number') return Number.isFinite(key) ? undefined : 'is not a finite number'
  if (typeof key !== 'string') return 'must be a string or a finite number'
  if (key === '' || key === '.' || key === '..') return `must not be "${key}"`
  if (unsafeCharacter.test(key)) return 'must not contain "/", "\\", control characters or lone surrogates'
  // Only long keys can exceed the limit; most never pay for the encoding.
  if (key.length > maxKeyBytes / 3 && utf8Length(key) > maxKeyBytes) return `is over ${maxKeyBytes} UTF-8 bytes`
  return undefined
}

/**
 * Throws a ValidationError naming table, key and field when `key` may not be used. Non-strict tables
 * accept whatever IndexedDB accepts (`isKey` is the factory's `cmp` check).
 */
export function assertValidKey(
  table: string,
  key: unknown,
  strict: boolean,
  field: string,
  isKey: (key: unknown) => boolean,
): void {
  const problem = strict ? strictKeyProblem(key) : isKey(key) ? undefined : 'is not a valid IndexedDB key'
  if (problem) throw new ValidationError(`[storage] key of "${table}" ${problem}`, { table, key, field })
}
