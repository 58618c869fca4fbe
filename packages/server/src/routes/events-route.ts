import { HttpError } from '../http/http-error'
import type { LiveStream } from '../live/hint-hub'
import type { RouteContext } from './context'

/**
 * `GET /events`: a live stream of hints for the token's user (server-sent events read with `fetch`, since
 * `EventSource` cannot send the Authorization header). It carries no record data: an `event: hint` per committed
 * push of that user, a comment line as heartbeat, and ends cleanly (`event: bye`) on shutdown or after
 * `streamIdleMs` without a hint. A stream ends (`bye`) once `maxStreamBufferBytes` were written without the socket
 * draining, since the kernel's buffers hide a client that stopped reading; a reading client reconnects and pulls, one
 * that does not read loses its socket `streamCloseGraceMs` later, or at once when that much waits in the process.
 */
export function handleEvents(context: RouteContext): Promise<void> {
  const { request, response, userId, limits, live } = context
  if (context.query !== '') throw new HttpError(400, 'invalid-query', '/events takes no query parameters')
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let idle: ReturnType<typeof setTimeout> | undefined
  let ended = false
  let closing = false
  // Bytes handed to the socket since it last drained: what the kernel may hold for a client that does not read.
  let sinceDrain = 0
  response.on('drain', () => {
    sinceDrain = 0
  })
  const write = (text: string) => {
    if (ended) return
    response.write(text)
    sinceDrain += Buffer.byteLength(text)
    const budget = limits.maxStreamBufferBytes
    if (!closing && (sinceDrain > budget || response.writableLength > budget)) cut()
  }
  /** Memory per stream stays bounded: the stream ends, and a client pulls what it missed when it reconnects. */
  function cut() {
    closing = true
    if (response.writableLength > limits.maxStreamBufferBytes) {
      cleanUp()
      response.destroy()
      return
    }
    stream.end()
    const grace = setTimeout(() => response.destroy(), limits.streamCloseGraceMs)
    response.once('close', () => clearTimeout(grace))
  }
  const restartIdle = () => {
    clearTimeout(idle)
    if (!ended) idle = setTimeout(() => stream.end(), limits.streamIdleMs)
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
