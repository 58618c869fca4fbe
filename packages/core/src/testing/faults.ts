import type { RecordKey } from '../types'

/** A failure the backend is made to answer every push with. */
export type AdapterFault =
  | { type: 'http'; status: 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503; retryAfterSeconds?: number }
  | { type: 'timeout' }
  | { type: 'malformed-body' }

export type AdapterFaultName = `http-${401 | 403 | 404 | 409 | 413 | 429 | 500 | 503}` | 'timeout' | 'malformed-body'

/** Keys every adapter must carry unchanged (DESIGN's allowed set: no `/`, `\`, control characters, `.`/`..`). */
export const conformanceKeys: RecordKey[] = [
  'plain',
  'with space',
  'percent%20and+plus',
  'query?and#hash&amp=1',
  'quotes"\'`',
  'colon:semi;comma,',
  'unicode-ünïcödé-日本語',
  'emoji-😀-👩‍👩‍👧',
  '...dots...',
  'a'.repeat(512),
  'é'.repeat(256),
  42,
  0,
  -7.5,
]
