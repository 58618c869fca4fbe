import type { SyncAdapter } from '@autosync/core'
import type { ResolvedOptions } from './options'

/** Reconnect delay after `failures` failed connections in a row: 0.5 s doubling to 30 s, half of it jittered. */
const reconnectDelay = (failures: number, random: () => number) =>
  Math.min(30_000, 500 * 2 ** failures) * (0.5 + random() / 2)

/**
 * `subscribe` over `GET /events` (server-sent events read with fetch: `EventSource` cannot send the token). Calls
 * `onHint` once connected (core pulls, so a hint missed while disconnected costs nothing) and on every
 * `event: hint` of another client's push; reconnects with backoff after the stream ends or fails; a 401 asks `getToken` for a fresh token.
 */
export function createSubscribe(options: ResolvedOptions): Required<SyncAdapter>['subscribe'] {
  const { baseUrl, getToken, clock, random, headers } = options
  return (context, onHint) => {
    const controller = new AbortController()
    const signal = AbortSignal.any([context.signal, controller.signal])
    let timer: unknown
    let failures = 0
    let refresh = false
    // A hint of this device's own push brings nothing new: pulling on it would only delay the next push.
    const own = `data: {"clientId":${JSON.stringify(context.clientId)}}`
    const connect = async () => {
      try {
        const token = await getToken?.({ forceRefresh: refresh, userId: context.userId })
        const response = await (options.fetch ?? fetch)(new URL('events', baseUrl), {
          headers: { ...headers, ...(token && { authorization: `Bearer ${token}` }) },
          signal,
          redirect: 'manual',
        })
        refresh = response.status === 401
        if (response.status !== 200 || !response.body) throw new Error(`/events answered ${response.status}`)
        failures = 0
        onHint()
        // A reader, not `for await`: not every browser can iterate a ReadableStream yet.
        const reader = response.body.getReader()
        const decoder = new TextDecoder()
        let text = ''
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          text += decoder.decode(read.value, { stream: true })
          const blocks = text.split('\n\n')
          text = blocks.pop() ?? ''
          if (blocks.some((block) => block.startsWith('event: hint') && !block.endsWith(own))) onHint()
        }
      } catch {
        failures++
      }
      // Ended (bye, a dropped connection) or failed: connect again, later the more it fails.
      if (!signal.aborted) timer = clock.setTimeout(connect, reconnectDelay(failures, random))
    }
    void connect()
    return () => {
      controller.abort()
      clock.clearTimeout(timer as never)
    }
  }
}
