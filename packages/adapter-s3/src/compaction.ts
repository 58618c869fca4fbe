import type { AdapterContext, RemoteChange } from '@autosync/core'
import { objectUrl, userFolder } from './keys'
import { listObjects } from './list'
import { createRequestMemory } from './memory'
import type { ResolvedOptions } from './options'
import { type CompactionSnapshot, compactionKey, pullPage } from './pull'
import { positionOf } from './segment'
import type { Send } from './transport'

const revisionPosition = (revision: string) => positionOf(revision)

/**
 * Folds every segment older than `settleMs` into one snapshot, then deletes those segments and older
 * snapshots. The snapshot is written before anything is deleted, so a reader always finds one or the other.
 * @returns the number of segments folded (0: nothing to do)
 */
export async function compactLog(options: ResolvedOptions, send: Send, userId: string, context: AdapterContext) {
  const folder = userFolder(options, userId)
  const bound = options.clock.now() - options.settleMs
  const latest = new Map<string, RemoteChange>()
  const folded = new Set<string>()
  let cursor: string | null = null
  // Its own memory: the device's echoes stay for the device's pull.
  const memory = createRequestMemory(options.clock.now)
  for (;;) {
    const response = await pullPage(options, send, { cursor, limit: 10_000, userId }, context, memory)
    for (const change of response.changes) {
      // Unreadable markers stay dead letters on the devices that read them; they are not worth keeping.
      if (change.table.startsWith('[s3]') || revisionPosition(change.revision) > bound) continue
      latest.set(JSON.stringify([change.table, change.key]), change)
      folded.add(change.revision.slice(0, change.revision.lastIndexOf('#')))
    }
    cursor = response.cursor
    if (!response.hasMore) break
  }
  const logPrefix = `${folder}/log/`
  const { objects } = await listObjects(options, send, folder, { prefix: logPrefix, signal: context.signal })
  const deletable = objects.filter((object) => {
    const name = object.key.slice(logPrefix.length)
    return positionOf(name) <= bound && folded.has(name.replace(/\.json$/, ''))
  })
  if (deletable.length === 0) return 0
  const snapshot: CompactionSnapshot = {
    format: 'autosync-s3-compaction/1',
    userId,
    bound,
    changes: [...latest.values()],
    seen: deletable
      .map((object) => object.key.slice(logPrefix.length))
      .filter((name) => positionOf(name) >= bound - options.settleMs),
  }
  await send(
    {
      method: 'PUT',
      url: objectUrl(options, folder, `${folder}/${compactionKey(bound)}`),
      headers: { 'content-type': 'application/json', 'if-none-match': '*' },
      body: JSON.stringify(snapshot),
      signal: context.signal,
    },
    [412],
  )
  const snapshotsPrefix = `${folder}/snapshots/log-`
  const older = await listObjects(options, send, folder, { prefix: snapshotsPrefix, signal: context.signal })
  const stale = older.objects.filter((object) => positionOf(object.key.slice(snapshotsPrefix.length)) < bound)
  for (const object of [...deletable, ...stale]) {
    await send({ method: 'DELETE', url: objectUrl(options, folder, object.key), signal: context.signal }, [404])
  }
  return deletable.length
}
