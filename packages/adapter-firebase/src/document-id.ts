import type { RecordKey } from '@autosync/core'

const encoder = new TextEncoder()

/** The document id of a record key: numbers as `~n<number>`, so the number 42 and the string "42" stay apart. */
export const documentIdOf = (key: RecordKey) => (typeof key === 'number' ? `~n${key}` : key)

/** Why Firestore cannot address `key` as a document id, or undefined when it can. */
export function documentIdProblem(key: RecordKey): string | undefined {
  const id = documentIdOf(key)
  const reason =
    typeof key === 'string' && key.startsWith('~n')
      ? 'starts with ~n, which names number keys here'
      : id === '' || id === '.' || id === '..' || /^__.*__$/.test(id)
        ? 'is reserved by Firestore'
        : id.includes('/')
          ? 'contains "/", which Firestore reads as a path'
          : encoder.encode(id).length > 1_500 && "is over Firestore's 1,500-byte document id limit"
  // The id is cut in the message: a too-long one would fill the logs.
  return reason ? `key "${id.slice(0, 64)}" ${reason}` : undefined
}

/** Firestore's document limit is 1 MiB; the record's JSON plus the bookkeeping fields must stay under it. */
const maxDocumentBytes = 1_048_576 - 4_096

/** Why the record is too large for one Firestore document, or undefined. */
export function documentSizeProblem(value: Record<string, unknown> | undefined): string | undefined {
  const text = JSON.stringify(value ?? {})
  if (text.length > maxDocumentBytes / 3 && encoder.encode(text).length > maxDocumentBytes)
    return "record is over Firestore's 1 MiB document limit"
}
