import type { AdapterContext, BackupResult, BackupSnapshot, RestoreRequest, RestoreResponse } from '@autosync/core'
import { AdapterError, parseJsonSafely } from '@autosync/core'
import { doc, getDoc, writeBatch } from 'firebase/firestore'
import { documentIdProblem } from './document-id'
import { toAdapterError, withTimeout } from './errors'
import type { ResolvedOptions } from './options'

/** Firestore documents hold at most 1 MiB: a snapshot goes as chunks of JSON text under that. */
const chunkCharacters = 700_000

/** The document naming the newest complete backup. */
const latestId = '~latest'

const backups = (options: ResolvedOptions, userId: string) => `${options.collectionPath(userId, '_autosync_backups')}`

/**
 * A backup is a set of chunk documents (`{backupId}-{n}`) plus a manifest written last in the same batch, so a
 * manifest marked complete always has every chunk. Restore reads the newest complete manifest.
 */
export async function backup(
  options: ResolvedOptions,
  snapshot: BackupSnapshot,
  _context: AdapterContext,
): Promise<BackupResult> {
  const { firestore, timeoutMs } = options
  const userId = snapshot.userId ?? 'anonymous'
  const problem = snapshot.backupId.startsWith('~')
    ? 'starts with ~, reserved here'
    : documentIdProblem(snapshot.backupId)
  if (problem)
    throw new AdapterError(`[autosync] [firestore] backup id: ${problem}`, { kind: 'rejected', retryable: false })
  const text = JSON.stringify(snapshot)
  const chunks: string[] = []
  for (let start = 0; start < text.length; start += chunkCharacters)
    chunks.push(text.slice(start, start + chunkCharacters))
  const folder = backups(options, userId)
  const records = Object.values(snapshot.tables).reduce((total, rows) => total + rows.length, 0)
  try {
    // Chunks in batches under Firestore's 10 MiB request limit; the manifest after all of them.
    for (let start = 0; start < chunks.length; start += 8) {
      const batch = writeBatch(firestore)
      chunks.slice(start, start + 8).forEach((chunk, index) => {
        batch.set(doc(firestore, folder, `${snapshot.backupId}-${start + index}`), { text: chunk })
      })
      await withTimeout(batch.commit(), timeoutMs, 'a backup')
    }
    // The manifest and the pointer to the newest backup in one commit: "latest" always names a complete backup.
    const manifest = writeBatch(firestore)
    manifest.set(doc(firestore, folder, latestId), { backupId: snapshot.backupId })
    manifest.set(doc(firestore, folder, snapshot.backupId), {
      manifest: true,
      complete: true,
      chunks: chunks.length,
      createdAt: snapshot.createdAt,
      records,
    })
    await withTimeout(manifest.commit(), timeoutMs, 'a backup')
  } catch (error) {
    throw toAdapterError(error, 'a backup')
  }
  return { backupId: snapshot.backupId, location: `${folder}/${snapshot.backupId}`, records }
}

export async function restore(
  options: ResolvedOptions,
  request: RestoreRequest,
  _context: AdapterContext,
): Promise<RestoreResponse> {
  const { firestore, timeoutMs } = options
  const userId = request.userId ?? 'anonymous'
  const folder = backups(options, userId)
  try {
    return await withTimeout(
      (async () => {
        let backupId = request.backupId
        let chunkCount: number
        if (backupId === undefined) {
          const latest = await getDoc(doc(firestore, folder, latestId))
          if (!latest.exists()) return { snapshot: null }
          backupId = latest.get('backupId') as string
        }
        {
          const manifest = await getDoc(doc(firestore, folder, backupId))
          if (!manifest.exists() || manifest.get('complete') !== true) return { snapshot: null }
          chunkCount = manifest.get('chunks') as number
        }
        const parts = await Promise.all(
          Array.from({ length: chunkCount }, (_, index) => getDoc(doc(firestore, folder, `${backupId}-${index}`))),
        )
        if (parts.some((part) => !part.exists())) {
          throw new AdapterError(`[autosync] [firestore] backup ${backupId} is missing a chunk`, {
            kind: 'protocol',
            retryable: false,
          })
        }
        const snapshot = parseJsonSafely<BackupSnapshot>(parts.map((part) => part.get('text') as string).join(''))
        return { snapshot }
      })(),
      timeoutMs,
      'a restore',
    )
  } catch (error) {
    throw toAdapterError(error, 'a restore')
  }
}
