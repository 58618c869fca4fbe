import type { Change } from '../types'

/**
 * A deterministic id of the whole batch body: exactly the same changes retried (after a reload or a lost answer)
 * get the same id, so the backend answers the replay as the first try; anything that differs (a base revision
 * learned from a pull meanwhile, a re-coalesced value, a plugin's output) gives another id, never a reused one.
 */
export function batchIdOf(changes: readonly Change[]): string {
  const body = JSON.stringify(changes)
  let first = 0x811c9dc5
  let second = 0x9e3779b9
  for (let index = 0; index < body.length; index++) {
    const code = body.charCodeAt(index)
    first = Math.imul(first ^ code, 16777619)
    second = Math.imul(second ^ code, 2246822507)
  }
  return `b-${changes.length}-${(first >>> 0).toString(36)}${(second >>> 0).toString(36)}`
}
