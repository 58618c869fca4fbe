import type { AdapterContext, BackupResult, BackupSnapshot, RestoreRequest, RestoreResponse } from '@autosync/core'
import { parseJsonSafely } from './core'
import { emptyCursor, encodeCursor } from './cursor'
import { failure } from './errors'
import { encodeSegment, objectUrl, userFolder } from './keys'
import { listObjects } from './list'
import type { ResolvedOptions } from './options'
import { formatPosition } from './segment'
import type { Send } from './transport'

interface StoredBackup {
  format: 'autosync-s3-backup/1'
  snapshot: BackupSnapshot
  /** The log position when the backup was taken: after a restore, pulling resumes there. */
  cursor: string
}

/** Writes `snapshots/backup-{createdAt}-{backupId}.json`. */
export async function writeBackup(
  options: ResolvedOptions,
  send: Send,
  snapshot: BackupSnapshot,
  context: AdapterContext,
): Promise<BackupResult> {
  const folder = userFolder(options, snapshot.userId)
  const key = `${folder}/snapshots/backup-${formatPosition(snapshot.createdAt)}-${encodeSegment(snapshot.backupId)}.json`
  const now = options.clock.now()
  const stored: StoredBackup = {
    format: 'autosync-s3-backup/1',
    snapshot,
    cursor: encodeCursor({ ...emptyCursor(), maxPosition: now, floor: now }),
  }
  await send({
    method: 'PUT',
    url: objectUrl(options, folder, key),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(stored),
    signal: context.signal,
  })
  const records = Object.values(snapshot.tables).reduce((sum, rows) => sum + rows.length, 0)
  return { backupId: snapshot.backupId, location: `s3://${options.bucket}/${key}`, records }
}

/** The named backup, or the latest (by creation time) when none is named. */
export async function readBackup(
  options: ResolvedOptions,
  send: Send,
  request: RestoreRequest,
  context: AdapterContext,
): Promise<RestoreResponse> {
  const folder = userFolder(options, request.userId)
  const prefix = `${folder}/snapshots/backup-`
  const { objects } = await listObjects(options, send, folder, { prefix, signal: context.signal })
  const suffix = request.backupId === undefined ? undefined : `-${encodeSegment(request.backupId)}.json`
  const found = suffix ? objects.filter((object) => object.key.endsWith(suffix)).at(-1) : objects.at(-1)
  if (!found) return { snapshot: null }
  const { text } = await send({ method: 'GET', url: objectUrl(options, folder, found.key), signal: context.signal })
  let stored: StoredBackup
  try {
    stored = parseJsonSafely<StoredBackup>(text)
  } catch (error) {
    throw failure('a backup object is not JSON', 'protocol', { cause: error })
  }
  if (stored?.snapshot?.userId !== request.userId || typeof stored.snapshot.tables !== 'object') {
    throw failure("a backup object is not this user's snapshot", 'protocol')
  }
  return { snapshot: stored.snapshot, cursor: typeof stored.cursor === 'string' ? stored.cursor : null }
}
