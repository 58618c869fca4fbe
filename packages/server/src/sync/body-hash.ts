import { createHash } from 'node:crypto'

/**
 * SHA-256 (hex) of a request body as received: a replay must resend the same bytes, which a client
 * re-serializing the same batch does; anything else under the same id is a different request.
 */
export function hashBody(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex')
}
