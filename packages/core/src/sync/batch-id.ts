import type { Change } from '../types'

/**
 * A deterministic id of the batch body: exactly the same changes retried (after a reload or a lost answer) get the
 * same id, so the backend answers the replay as the first try; a body that differs gets another id, never a reused
 * one. Without `wholeBody` the id covers what can differ between tries of the same change ids, their base
 * revisions (a pull may teach one meanwhile): a change id names one write, so its value and fields are fixed. With
 * `wholeBody` (a plugin's `transform` may give another output each time) it covers the whole body as JSON.
 */
export function batchIdOf(changes: readonly Change[], wholeBody = false): string {
  let first = 0x811c9dc5
  let second = 0x9e3779b9
  const mix = (text: string) => {
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index)
      first = Math.imul(first ^ code, 16777619)
      second = Math.imul(second ^ code, 2246822507)
    }
    first = Math.imul(first ^ 10, 16777619)
  }
  if (wholeBody) mix(JSON.stringify(changes))
  else
    for (const change of changes)
      mix(`${change.changeId}\u0000${change.baseRevision === undefined ? '' : JSON.stringify(change.baseRevision)}`)
  return `b-${changes.length}-${(first >>> 0).toString(36)}${(second >>> 0).toString(36)}`
}
