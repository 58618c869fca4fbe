import type { AdapterContext, Change, PushResult, SyncAdapter } from '@autosync/core'
import type { RequestBody, Send } from './client'
import { AdapterError, statusError } from './errors'
import { isRecord, parseJson } from './json'
import type { ResolvedOptions } from './options'
import { buildUrl } from './url'

const json = (value: unknown, type = 'application/json'): RequestBody => [
  JSON.stringify(value),
  { 'content-type': type },
]

/** An RFC 7396 merge patch of the changed fields, or undefined when one cannot say it. */
function mergePatch({ value, changedFields }: Change) {
  const patch: Record<string, unknown> = {}
  for (const field of changedFields ?? []) {
    const next = value![field] ?? null
    // A null value would delete the field; an object would be merged into the old one instead of replacing it.
    if ((next === null && Object.hasOwn(value!, field)) || isRecord(next)) return
    patch[field] = next
  }
  return changedFields?.length && patch
}

/**
 * Resource mode: one request per change (`PUT`/`PATCH`/`DELETE` on `path(table, key)`), `concurrency` at a
 * time; core's outbox coalesces writes, so a batch holds at most one change per record. A permanent 4xx
 * rejects that change only. The first retryable failure stops new requests: when some changes already
 * succeeded they are acked and the rest stay pending (PUT and DELETE make a resend harmless); when none did,
 * the failure is thrown so core backs off and honours Retry-After. Auth failures and aborts always throw.
 */
export function resourcePush(options: ResolvedOptions, send: Send): SyncAdapter['push'] {
  const { baseUrl, path, partialUpdates, createWithPost, patchContentType } = options

  /** Resolves to undefined when the change is applied, to a reason when it is rejected; throws otherwise. */
  const apply = async (change: Change, context: AdapterContext) => {
    const { table, key, op, value } = change
    const segments = path(table, key)
    const url = buildUrl(baseUrl, segments)
    if (!url) return 'unsafe-path: the record path would leave baseUrl'
    if (op === 'put' && !isRecord(value)) return 'invalid-value: a put without a record'
    const patch = op === 'put' && partialUpdates && mergePatch(change)
    let method = op === 'delete' ? 'DELETE' : patch ? 'PATCH' : 'PUT'
    let [response, text] = await send(
      method,
      url,
      context,
      patch ? json(patch, patchContentType) : value && json(value),
    )
    if (response.status === 404) {
      if (op === 'delete') return // already gone
      if (createWithPost) {
        method = 'POST'
        ;[response, text] = await send(method, buildUrl(baseUrl, segments.slice(0, -1))!, context, json(value))
      }
    }
    if (response.ok) return
    const error = statusError(method, url, response, parseJson(text))
    // A 404 on a record's own path refuses that change alone (core's table makes a 404 a whole-request failure).
    if (response.status !== 404 && (error.retryable || error.kind === 'auth')) throw error
    return error.message
  }

  return async ({ changes }, context) => {
    const result: Required<Omit<PushResult, 'revisions'>> = { accepted: [], rejected: [] }
    let failure: unknown
    const queue = [...changes]
    const worker = async () => {
      for (let change = queue.shift(); change && !failure; change = queue.shift()) {
        try {
          const reason = await apply(change, context)
          if (reason) result.rejected.push({ changeId: change.changeId, reason })
          else result.accepted.push(change.changeId)
        } catch (error) {
          failure ??= error
        }
      }
    }
    await Promise.all(Array.from({ length: options.concurrency }, worker))
    if (failure) {
      if (!result.accepted.length || !AdapterError.isInstance(failure) || !failure.retryable) throw failure
      context.logger.warn(
        `[autosync] [rest] ${result.accepted.length} of ${changes.length} changes sent; ${failure.message}`,
      )
    }
    return result
  }
}
