import { ValidationError } from '../errors'

const maxKeyBytes = 512
/** UTF-8 length of a string without allocating (surrogate pairs count 4, lone surrogates 3). */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2
        index++
        continue
      }
      bytes += 2
    } else bytes += 2
  }
  return bytes
}

/** What is wrong with one character of a strict key, scanning once (C0/C1 controls, DEL, slashes, lone surrogates). */
function characterProblem(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code === 0x2f || code === 0x5c) return 'must not contain "/" or "\\"'
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'must not contain control characters'
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1)
      if (next >= 0xdc00 && next <= 0xdfff) index++
      else return 'must not contain a lone surrogate'
    } else if (code >= 0xdc00 && code <= 0xdfff) return 'must not contain a lone surrogate'
  }
  return undefined
}

/** Why a key cannot be addressed by every adapter, or `undefined` when it can. */
function strictKeyProblem(key: unknown): string | undefined {
  if (typeof key === 'number') return Number.isFinite(key) ? undefined : 'is not a finite number'
  if (typeof key !== 'string') return 'must be a string or a finite number'
  if (key === '' || key === '.' || key === '..') return `must not be ${JSON.stringify(key)}`
  const problem = characterProblem(key)
  if (problem) return problem
  if (key.length > maxKeyBytes / 3 && utf8Length(key) > maxKeyBytes) return `is longer than ${maxKeyBytes} UTF-8 bytes`
  return undefined
}

/** Any key IndexedDB accepts (for local-only tables with `strictKeys: false`). */
function isIndexedDbKey(key: unknown, depth = 0): boolean {
  if (typeof key === 'string') return true
  if (typeof key === 'number') return !Number.isNaN(key)
  if (key instanceof Date) return !Number.isNaN(key.getTime())
  if (key instanceof ArrayBuffer || ArrayBuffer.isView(key)) return true
  if (Array.isArray(key) && depth < 32) return key.every((part) => isIndexedDbKey(part, depth + 1))
  return false
}

/** Throws a ValidationError naming table, key and field when `key` may not be used. */
export function assertValidKey(table: string, key: unknown, strict: boolean, field = 'key'): void {
  const problem = strict ? strictKeyProblem(key) : isIndexedDbKey(key) ? undefined : 'is not a valid IndexedDB key'
  if (problem) {
    throw new ValidationError(`[storage] key of "${table}" ${problem}`, { table, key, field })
  }
}
