import { HttpError } from './http-error'

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype'])
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

// Parsing without a reviver keeps `__proto__` as a harmless own key; one pass then deletes the forbidden keys
// before anything can merge or spread them. (A reviver does the same but is about three times slower.)
function dropPrototypeKeys(root: unknown): unknown {
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value !== 'object' || value === null) continue
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) pending.push(item)
      continue
    }
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      if (forbiddenKeys.has(key)) {
        delete record[key]
        continue
      }
      const child = record[key]
      if (typeof child === 'object' && child !== null) pending.push(child)
    }
  }
  return root
}

/** True when `key` is one of the names a JSON body may never use (`__proto__`, `constructor`, `prototype`). */
export function isForbiddenKey(key: string): boolean {
  return forbiddenKeys.has(key)
}

/**
 * Decodes strict UTF-8 and parses JSON without prototype keys; 400 `malformed-json` otherwise. `keepAllKeys` keeps
 * them as the harmless own keys JSON.parse makes (backups store them faithfully and never merge them).
 */
export function parseJsonBody(body: Buffer, keepAllKeys = false): unknown {
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    throw new HttpError(400, 'malformed-json', 'request body is not valid UTF-8')
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return keepAllKeys ? parsed : dropPrototypeKeys(parsed)
  } catch (error) {
    const detail = error instanceof SyntaxError ? error.message : 'nesting too deep'
    throw new HttpError(400, 'malformed-json', `request body is not valid JSON: ${detail}`)
  }
}

/** 415 unless the request declares a JSON body (`application/json`, optionally with a UTF-8 charset). */
export function requireJsonContentType(contentType: string | undefined): void {
  const [mediaType, ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase())
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))
  const charsetOk = charset === undefined || charset === 'charset=utf-8' || charset === 'charset="utf-8"'
  if (mediaType !== 'application/json' || !charsetOk) {
    throw new HttpError(415, 'unsupported-media-type', 'request body must be application/json (UTF-8)')
  }
}
