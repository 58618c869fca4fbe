import { HttpError } from '../http/http-error'
import type { LiveStream } from '../live/hint-hub'
import type { RouteContext } from './context'

/**
 * `GET /events`: a live stream of hints for the token's user (server-sent events read with `fetch`, since
 * `EventSource` cannot send the Authorization header). It carries no record data: an `event: hint` per committed
 * push of that user, a comment line as heartbeat, and ends cleanly (`event: bye`) on shutdown or after
 * `streamIdleMs` without a hint. A client that does not read is dropped once `maxStreamBufferBytes` are waiting.
 */
export function handleEvents(context: RouteContext): Promise<void> {
  const { request, response, userId, limits, live } = context
  if (context.query !== '') throw new HttpError(400, 'invalid-query', '/events takes no query parameters')
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let idle: ReturnType<typeof setTimeout> | undefined
  let ended = false
  const write = (text: string) => {
    if (ended) return
    response.write(text)
    // Memory per stream stays bounded: a client that stopped reading is cut, and pulls when it reconnects.
    if (response.writableLength > limits.maxStreamBufferBytes) {
      cleanUp()
      response.destroy()
    }
  }
  const restartIdle = () => {
    clearTimeout(idle)
    idle = setTimeout(() => stream.end(), limits.streamIdleMs)
  }
  const stream: LiveStream = {
    userId,
    hint(clientId) {
      // The pushing client only, never record data: a device skips the hint of its own push.
      write(`event: hint\ndata: ${JSON.stringify({ clientId })}\n\n`)
      restartIdle()
    },
    end() {
      if (ended) return
      write('event: bye\ndata: {}\n\n')
      cleanUp()
      response.end()
    },
  }
  function cleanUp() {
    ended = true
    clearInterval(heartbeat)
    clearTimeout(idle)
    live.close(stream)
  }
  const outcome = live.open(stream)
  if (outcome !== 'opened') {
    const scope = outcome === 'user-limit' ? 'this user' : 'this server instance'
    throw new HttpError(429, 'too-many-streams', `too many live streams for ${scope}; retry later`, {
      headers: { 'Retry-After': '5' },
    })
  }
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    // Proxies such as nginx would otherwise hold the hints back.
    'X-Accel-Buffering': 'no',
  })
  write('event: ready\ndata: {}\n\n')
  heartbeat = setInterval(() => write(': heartbeat\n\n'), limits.streamHeartbeatMs)
  restartIdle()
  return new Promise((resolve) => {
    request.socket.once('close', () => {
      cleanUp()
      resolve()
    })
    response.once('close', () => {
      cleanUp()
      resolve()
    })
  })
}
