import type { AdapterContext, PushBatch, PushResult, SyncAdapter } from '@autosync/core'
import { readBackup, writeBackup } from './backup'
import { compactLog } from './compaction'
import { failure } from './errors'
import { encodeSegment, objectUrl, userFolder } from './keys'
import { listObjects } from './list'
import { createRequestMemory } from './memory'
import { resolveOptions, type S3AdapterOptions } from './options'
import { pullPage } from './pull'
import { revisionOf, segmentName, serializeSegment } from './segment'
import { createTransport } from './transport'

export interface S3Adapter extends SyncAdapter {
  /** Folds the user's log into a snapshot now (push does it by itself past `compactAfterSegments`). */
  compact(userId: string, context: AdapterContext): Promise<number>
}

/** Replays of a batch reuse its segment name, so `If-None-Match: *` turns them into acknowledgements. */
const rememberedBatches = 256

/**
 * An adapter that keeps each user's changes as a log of JSON segments in an S3-compatible bucket.
 * @example s3Adapter({ bucket: 'my-app', region: 'eu-west-1', credentials: () => fetchTemporaryCredentials() })
 */
export function s3Adapter(input: S3AdapterOptions): S3Adapter {
  const options = resolveOptions(input)
  const send = createTransport(options)
  const positions = new Map<string, number>()
  const memory = createRequestMemory(options.clock.now)
  let pushesSinceCheck = 0

  async function maybeCompact(userId: string, context: AdapterContext) {
    if (options.compactAfterSegments <= 0 || ++pushesSinceCheck < options.compactCheckEvery) return
    pushesSinceCheck = 0
    try {
      const folder = userFolder(options, userId)
      const { objects } = await listObjects(options, send, folder, {
        prefix: `${folder}/log/`,
        signal: context.signal,
        enough: (count) => count > options.compactAfterSegments,
      })
      if (objects.length > options.compactAfterSegments) await compactLog(options, send, userId, context)
    } catch (error) {
      // The push itself succeeded; compaction is retried after the next check interval.
      context.logger.warn(`[autosync] [s3] compaction failed: ${(error as Error).message}`)
    }
  }

  return {
    name: 's3',
    specificationVersion: 'v1',
    capabilities: {
      maxBatchSize: options.maxBatchSize,
      partialUpdates: false,
      pull: true,
      backup: true,
      live: false,
      conditionalWrites: false,
    },

    async push(batch: PushBatch, context: AdapterContext): Promise<PushResult> {
      const folder = userFolder(options, batch.userId)
      const userId = batch.userId as string
      const memoryKey = `${batch.clientId}\u0000${batch.batchId}`
      const position = positions.get(memoryKey) ?? options.clock.now()
      positions.delete(memoryKey)
      positions.set(memoryKey, position)
      if (positions.size > rememberedBatches) positions.delete(positions.keys().next().value as string)
      const name = segmentName(position, encodeSegment(batch.clientId), encodeSegment(batch.batchId))
      const key = `${folder}/log/${name}`
      const body = serializeSegment(batch, userId)
      const { response } = await send(
        {
          method: 'PUT',
          url: objectUrl(options, folder, key),
          headers: { 'content-type': 'application/json', 'if-none-match': '*' },
          body,
          signal: context.signal,
        },
        [412],
      )
      // Every S3 answers a stored PUT with an ETag; a 200 without one came from something else (a captive portal).
      if (response.status !== 412 && !response.headers.get('etag')) {
        throw failure(`PUT in bucket "${options.bucket}" answered ${response.status} without an ETag`, 'protocol', {
          retryable: true,
          status: response.status,
        })
      }
      // A 412 means an earlier attempt stored it, maybe with other content: only our own stored body is kept.
      if (response.status !== 412) memory.wrote(key, body)
      const revisions: Record<string, string> = {}
      batch.changes.forEach((change, index) => {
        revisions[change.changeId] = revisionOf(name, index)
      })
      await maybeCompact(userId, context)
      return { accepted: batch.changes.map((change) => change.changeId), revisions }
    },

    pull: (request, context) => pullPage(options, send, request, context, memory),
    backup: (snapshot, context) => writeBackup(options, send, snapshot, context),
    restore: (request, context) => readBackup(options, send, request, context),
    compact: (userId, context) => compactLog(options, send, userId, context),
  }
}
