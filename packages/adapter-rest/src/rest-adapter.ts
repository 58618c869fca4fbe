import type { SyncAdapter } from '@autosync/core'
import { batchMethods } from './batch'
import { createSend } from './client'
import { createSubscribe } from './live'
import { type RestAdapterOptions, resolveOptions } from './options'
import { resourcePush } from './resource'

/**
 * A `SyncAdapter` over HTTP (ky, its retry off: core owns retries).
 *
 * @example
 * const adapter = restAdapter({ baseUrl: 'https://api.example.com/sync', getToken: ({ forceRefresh }) => auth.token(forceRefresh) })
 * const notes = restAdapter({ baseUrl: 'https://api.example.com/', mode: 'resource', partialUpdates: true })
 */
export function restAdapter(options: RestAdapterOptions): SyncAdapter {
  const resolved = resolveOptions(options)
  const send = createSend(resolved)
  const resource = resolved.mode === 'resource'
  return {
    name: resolved.name,
    specificationVersion: 'v1',
    capabilities: {
      maxBatchSize: resolved.maxBatchSize,
      partialUpdates: resource ? resolved.partialUpdates : true,
      pull: !resource,
      backup: !resource,
      // The reference server refuses a change whose baseRevision is stale (openapi.yaml).
      conditionalWrites: !resource,
      // GET /events hints every committed push of the user (openapi.yaml).
      live: !resource,
    },
    ...(resource
      ? { push: resourcePush(resolved, send) }
      : { ...batchMethods(resolved, send), subscribe: createSubscribe(resolved) }),
  }
}
