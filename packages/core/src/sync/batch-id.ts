import type { Change } from '../types'

/** A deterministic id from the change ids: exactly the same batch retried gets the same id. */
export function batchIdOf(changes: readonly Change[]): string {
  let first = 0x811c9dc5
  let second = 0x9e3779b9
  for (const change of changes) {
    const id = change.changeId
    for (let index = 0; index < id.length; index++) {
      const code = id.charCodeAt(index)
      first = Math.imul(first ^ code, 16777619)
      second = Math.imul(second ^ code, 2246822507)
    }
    first = Math.imul(first ^ 10, 16777619)
  }
  return `b-${changes.length}-${(first >>> 0).toString(36)}${(second >>> 0).toString(36)}`
}
