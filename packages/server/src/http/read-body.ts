import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error'

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body-too-large', `request body exceeds ${limit} bytes`, {
    details: { limit },
  })
}

/**
 * Reads the request body, refusing with 413 as soon as the declared or streamed size passes `limit`:
 * at most `limit` bytes are ever held in memory.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers['content-length']
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    let settled = false
    const finish = (error: Error | null) => {
      if (settled) return
      settled = true
      request.off('data', onData)
      request.off('end', onEnd)
      request.off('error', onError)
      request.off('aborted', onAborted)
      if (error) {
        // Keep nothing more: the server discards the rest while the client reads the 413, then closes.
        chunks.length = 0
        reject(error)
      } else {
        resolve(Buffer.concat(chunks, received))
      }
    }
    const onData = (chunk: Buffer) => {
      received += chunk.length
      if (received > limit) finish(tooLarge(limit))
      else chunks.push(chunk)
    }
    const onEnd = () => finish(null)
    const onError = (error: Error) => finish(error)
    const onAborted = () => finish(new HttpError(400, 'aborted', 'request aborted by the client'))
    request.on('data', onData)
    request.on('end', onEnd)
    request.on('error', onError)
    request.on('aborted', onAborted)
  })
}
