import { parseJsonSafely } from './core'
import { failure } from './errors'

/** What a pull cursor remembers; serialized as the opaque cursor string. */
export interface CursorState {
  /** Highest segment position applied (-1: none). */
  maxPosition: number
  /** Never list before this position (a restored backup's moment), -1 for none. */
  floor: number
  /** Segments applied whose position is within `settleMs` of `maxPosition`: re-listed, so skipped by name. */
  seen: string[]
  /** Bound of the newest compaction this reader accounted for (-1: none). */
  compacted: number
  /** A segment applied only up to `index` (a page ended inside it). */
  partial?: { name: string; index: number }
  /** A compaction snapshot being emitted, from `index`. */
  snapshot?: { bound: number; index: number }
}

export const emptyCursor = (): CursorState => ({ maxPosition: -1, floor: -1, seen: [], compacted: -1 })

export function encodeCursor(state: CursorState): string {
  return JSON.stringify(state)
}

export function decodeCursor(cursor: string | null): CursorState {
  if (cursor === null) return emptyCursor()
  try {
    const state = parseJsonSafely<CursorState>(cursor)
    if (typeof state.maxPosition === 'number' && Array.isArray(state.seen)) return { ...emptyCursor(), ...state }
  } catch {}
  throw failure('the pull cursor is not one this adapter wrote', 'protocol')
}
