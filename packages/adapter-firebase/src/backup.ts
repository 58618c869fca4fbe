import type { AdapterContext, BackupResult, BackupSnapshot, RestoreRequest, RestoreResponse } from '@autosync/core'
import { parseJsonSafely } from '@autosync/core'
import { documentIdProblem } from './document-id'
import { failure, settle } from './errors'
import type { ResolvedOptions } from './options'
import { type DocumentData, doc, getDoc, writeBatch } from './sdk'

/** Firestore documents hold at most 1 MiB: a snapshot goes as chunks of JSON text under that. */
const chunkCharacters = 700_000

/** Chunks per commit, under Firestore's 10 MiB request limit. */
const chunksPerCommit = 8

/** The document naming the newest complete backup. */
const latestId = '~latest'

const folderOf = (options: ResolvedOptions, userId: string | null) =>
  options.collectionPath(userId ?? 'anonymous', '_autosync_backups')

/**
 * A backup is a set of chunk documents (`{backupId}-{n}`) plus a manifest and the `~latest` pointer, both in the
 * last commit: a manifest marked complete always has every chunk, and `~latest` always names a complete backup.
 */
export async function backup(
  options: ResolvedOptions,
  snapshot: BackupSnapshot,
  _context: AdapterContext,
): Promise<BackupResult> {
  const { firestore, timeoutMs } = options
  const { backupId } = snapshot
  const problem = backupId.startsWith('~') ? 'starts with ~, reserved here' : documentIdProblem(backupId)
  if (problem) throw failure(`backup id: ${problem}`, 'rejected')
  const folder = folderOf(options, snapshot.userId)
  const text = JSON.stringify(snapshot)
  const records = Object.values(snapshot.tables).reduce((total, rows) => total + rows.length, 0)
  const chunks = Math.ceil(text.length / chunkCharacters)
  const commits: [string, DocumentData][][] = []
  for (let index = 0; index < chunks; index++) {
    if (index % chunksPerCommit === 0) commits.push([])
    const chunk = text.slice(index * chunkCharacters, (index + 1) * chunkCharacters)
    commits.at(-1)!.push([`${backupId}-${index}`, { text: chunk }])
  }
  commits
    .at(-1)!
    .push(
      [backupId, { manifest: true, complete: true, chunks, createdAt: snapshot.createdAt, records }],
      [latestId, { backupId }],
    )
  for (const writes of commits) {
    const batch = writeBatch(firestore)
    for (const [id, data] of writes) batch.set(doc(firestore, folder, id), data)
    await settle(batch.commit(), timeoutMs, 'a backup')
  }
  return { backupId, location: `${folder}/${backupId}`, records }
}

/** Reads the requested backup, or the one `~latest` names; `snapshot: null` when there is none complete. */
export function restore(
  options: ResolvedOptions,
  request: RestoreRequest,
  _context: AdapterContext,
): Promise<RestoreResponse> {
  const folder = folderOf(options, request.userId)
  const read = (id: string) => getDoc(doc(options.firestore, folder, id))
  const work = async (): Promise<RestoreResponse> => {
    const backupId: unknown = request.backupId ?? (await read(latestId)).get('backupId')
    const manifest = typeof backupId === 'string' ? await read(backupId) : undefined
    if (manifest?.get('complete') !== true) return { snapshot: null }
    const parts = await Promise.all(
      Array.from({ length: manifest.get('chunks') as number }, (_, index) => read(`${backupId}-${index}`)),
    )
    if (parts.some((part) => !part.exists())) throw failure(`backup ${backupId} is missing a chunk`, 'protocol')
    return { snapshot: parseJsonSafely<BackupSnapshot>(parts.map((part) => part.get('text')).join('')) }
  }
  return settle(work(), options.timeoutMs, 'a restore')
}
