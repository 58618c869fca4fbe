import type { AdapterContext, BackupResult, Change, PullResponse, PushResult, SyncAdapter } from '@autosync/core'
import type { Send } from './client'
import { AdapterError, describe, statusError } from './errors'
import { arrayOf, isKey, isRecord, isString, optional, orNull, parseJson, shape } from './json'
import type { ResolvedOptions } from './options'
import { buildUrl } from './url'

type BatchMethods = Required<Pick<SyncAdapter, 'push' | 'pull' | 'backup' | 'restore'>>

const isPushResult = shape({
  accepted: arrayOf(isString),
  rejected: optional(arrayOf(shape({ changeId: isString, reason: isString }))),
  revisions: optional(isRecord),
})
const isPullResponse = shape({
  changes: arrayOf(
    shape({
      table: isString,
      key: isKey,
      op: (op) => op === 'put' || op === 'delete',
      value: optional(isRecord),
      revision: optional(isString),
      changeId: optional(isString),
    }),
  ),
  cursor: orNull(isString),
  hasMore: (value) => typeof value === 'boolean',
})
const isBackupResult = shape({ backupId: isString, records: Number.isInteger, location: optional(isString) })
const isRestoreResponse = shape({
  snapshot: orNull(
    shape({
      backupId: isString,
      clientId: isString,
      createdAt: Number.isFinite,
      userId: optional(orNull(isString)),
      tables: (tables) => isRecord(tables) && Object.values(tables).every(arrayOf(isRecord)),
    }),
  ),
})

/** A put with `changedFields` sends only those fields, unless one was removed (a shallow merge cannot remove). */
function toWire(change: Change): Change {
  const { value, changedFields } = change
  const put = change.op === 'put'
  // Most changes go as they are; copying each one was a fifth of a push's CPU time.
  if (!changedFields && (put || value === undefined)) return change
  const partial = put && value && changedFields?.every((field) => Object.hasOwn(value, field))
  return {
    ...change,
    value: partial ? Object.fromEntries(changedFields!.map((field) => [field, value[field]])) : put ? value : undefined,
    changedFields: partial ? changedFields : undefined,
  }
}

const encoder = new TextEncoder()

/** Whether `value` nests deeper than `levels` (the reference server's maxDepth, 64); recursion stops there. */
const tooDeep = (value: unknown, levels = 64): boolean =>
  !!value &&
  typeof value === 'object' &&
  (levels < 1 || Object.values(value).some((child) => tooDeep(child, levels - 1)))

/** The autosync sync protocol (openapi.yaml): `POST /push`, `GET /pull`, `POST /backup`, `GET /backup/…`. */
export function batchMethods({ baseUrl, maxBodyBytes }: ResolvedOptions, send: Send): BatchMethods {
  /** Sends JSON and returns the 2xx body when it passes `check`; `null` for a 404 when `missing` allows it. */
  const call = async <T>(
    method: string,
    segments: string[],
    context: AdapterContext,
    check: (value: unknown) => boolean,
    {
      payload,
      headers,
      query,
      missing,
    }: { payload?: object | string; headers?: object; query?: string; missing?: boolean } = {},
  ): Promise<T> => {
    const url = buildUrl(baseUrl, segments)
    if (!url) throw new AdapterError('[autosync] [rest] refused an unsafe path', { kind: 'rejected', retryable: false })
    url.search = query ?? ''
    const [response, text] = await send(
      method,
      url,
      context,
      payload === undefined
        ? undefined
        : [
            typeof payload === 'string' ? payload : JSON.stringify(payload),
            { ...headers, 'content-type': 'application/json' },
          ],
    )
    const body = parseJson(text)
    if (missing && response.status === 404) return null as T
    if (!response.ok) {
      const error = statusError(method, url, response, body)
      // The whole request refused for what no change caused (a wrong route or protocol) fails the attempt:
      // core backs off and keeps every change pending, where a permanent rejection would dead-letter them all.
      if (![400, 404, 405, 415].includes(response.status)) throw error
      throw new AdapterError(`${error.message}: is baseUrl right?`, {
        kind: 'protocol',
        retryable: true,
        status: response.status,
      })
    }
    // A 2xx that is not the promised JSON is never an ack; retryable because nothing was acked.
    if (!check(body))
      throw new AdapterError(describe(method, url, 'answered an unexpected body'), {
        kind: 'protocol',
        retryable: true,
      })
    return body as T
  }

  return {
    async push({ batchId, clientId, userId, changes: all }, context) {
      const accepted: string[] = []
      const rejected: { changeId: string; reason: string }[] = []
      // Refused here, one by one: the server would reject them anyway, and JSON.stringify may not even reach them.
      const changes = all.filter(
        ({ changeId, value }) => !tooDeep(value) || !rejected.push({ changeId, reason: 'value nests over 64 deep' }),
      )
      const wire = changes.map(toWire)
      const revisions: Record<string, string> = {}
      // A batch too big for one body goes as halves, each idempotent under its own key, until each part fits.
      const sendPart = async (start: number, end: number): Promise<void> => {
        const partId = end - start === changes.length ? batchId : `${batchId}.${start}-${end}`
        const halve = async () => {
          const middle = (start + end) >> 1
          await sendPart(start, middle)
          await sendPart(middle, end)
        }
        let payload: string
        try {
          payload = JSON.stringify({ batchId: partId, clientId, userId, changes: wire.slice(start, end) })
        } catch (error) {
          // Longer than the engine's longest string (about 512 MiB of JSON): no body to measure, so halve.
          if (!(error instanceof RangeError)) throw error
          if (end - start > 1) return halve()
          // One change JSON cannot write: rejected alone, never a RangeError that would stall the queue.
          rejected.push({ changeId: changes[start]!.changeId, reason: `cannot be sent as JSON: ${error.message}` })
          return
        }
        // At most three UTF-8 bytes per UTF-16 unit: most bodies need no encoding to know they fit.
        const tooLarge = payload.length * 3 > maxBodyBytes && encoder.encode(payload).length > maxBodyBytes
        if (end - start > 1 && tooLarge) return halve()
        try {
          const body = await call<Required<PushResult>>('POST', ['push'], context, isPushResult, {
            payload,
            headers: { 'idempotency-key': partId },
          })
          accepted.push(...body.accepted)
          rejected.push(...(body.rejected ?? []))
          Object.assign(revisions, body.revisions)
        } catch (error) {
          // The server's body limit is lower than ours: halve until the change it refuses stands alone.
          if (!AdapterError.isInstance(error) || error.status !== 413 || changes.length === 1) throw error
          if (end - start > 1) return halve()
          rejected.push({ changeId: changes[start]!.changeId, reason: error.message })
        }
      }
      await sendPart(0, changes.length)
      // Only ids of this batch count: an unknown id is ignored, an omitted one stays pending.
      const sent = new Set(all.map((change) => change.changeId))
      // Core keeps a revision only for a change it pushed and a string value; anything else is ignored there.
      return {
        accepted: accepted.filter((id) => sent.delete(id)),
        rejected: rejected.filter(({ changeId }) => sent.delete(changeId)),
        revisions,
      }
    },

    pull: ({ cursor, limit }, context) =>
      call<PullResponse>('GET', ['pull'], context, isPullResponse, {
        query: `${new URLSearchParams({ cursor: cursor ?? '', limit: String(limit) })}`,
      }),

    backup: (snapshot, context) =>
      call<BackupResult>('POST', ['backup'], context, isBackupResult, { payload: snapshot }),

    restore: async ({ backupId }, context) =>
      (await call('GET', ['backup', backupId ?? 'latest'], context, isRestoreResponse, { missing: true })) ?? {
        snapshot: null,
      },
  }
}
