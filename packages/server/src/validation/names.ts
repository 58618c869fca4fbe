const tableNamePattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/
// Control characters C0, DEL and C1, plus both path separators: matching them is the point here.
// biome-ignore lint/suspicious/noControlCharactersInRegex: keys with control characters are refused
const forbiddenKeyCharacters = /[\u0000-\u001f\u007f-\u009f/\\]/
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A UTF-16 surrogate without its pair: not text UTF-8 or PostgreSQL can hold. */
export const hasLoneSurrogate = (text: string): boolean => loneSurrogate.test(text)

/** `^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$` and not `.`/`..`. */
export function isValidTableName(table: string): boolean {
  return tableNamePattern.test(table) && table !== '.' && table !== '..'
}

/** 1..`maxBytes` UTF-8 bytes, no `/`, `\`, control characters or lone surrogates, not `.`/`..`. */
export function isValidStringKey(key: string, maxBytes = 512): boolean {
  if (key.length === 0 || key === '.' || key === '..') return false
  if (forbiddenKeyCharacters.test(key) || hasLoneSurrogate(key)) return false
  return Buffer.byteLength(key, 'utf8') <= maxBytes
}

/** A record key as JSON text: the stored identity of a string or number key. */
export function encodeRecordKey(key: string | number): string {
  return JSON.stringify(key)
}

export function decodeRecordKey(encoded: string): string | number {
  return JSON.parse(encoded) as string | number
}
