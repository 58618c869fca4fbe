import type { RecordKey } from '@autosync/core'

const encoder = new TextEncoder()

/** The document id of a record key: numbers as `~n<number>`, so the number 42 and the string "42" stay apart. */
export const documentIdOf = (key: RecordKey) => (typeof key === 'number' ? `~n${key}` : key)

/** Why Firestore cannot address `key` as a document id, or undefined when it can. */
export function documentIdProblem(key: RecordKey): string | undefined {
  const id = documentIdOf(key)
  if (typeof key === 'string' && key.startsWith('~n'))
    return `key "${key}" starts with ~n, which names number keys here`
  if (id === '' || id === '.' || id === '..') return `key "${id}" is not a Firestore document id`
  if (id.includes('/')) return `key "${id}" contains "/", which Firestore reads as a path`
  if (/^__.*__$/.test(id)) return `key "${id}" matches __.*__, reserved by Firestore`
  if (encoder.encode(id).length > 1_500) return "key is over 1,500 bytes, Firestore's document id limit"
  return undefined
}

/** Firestore's document limit is 1 MiB; the record's JSON plus the bookkeeping fields must stay under it. */
const maxDocumentBytes = 1_048_576 - 4_096

/** Why the record is too large for one Firestore document, or undefined. */
export function documentSizeProblem(value: Record<string, unknown> | undefined): string | undefined {
  if (!value) return undefined
  const text = JSON.stringify(value)
  if (text.length < maxDocumentBytes / 3) return undefined
  return encoder.encode(text).length > maxDocumentBytes ? "record is over Firestore's 1 MiB document limit" : undefined
}
