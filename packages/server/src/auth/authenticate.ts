import type { IncomingMessage } from 'node:http'
import { HttpError } from '../http/http-error'
import type { TokenVerifier } from './token-signer'

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer' } })
}

/** The user of the request's bearer token; 401 when it is missing, malformed, invalid or expired. */
export async function authenticate(request: IncomingMessage, verifier: TokenVerifier): Promise<string> {
  const header = request.headers.authorization
  if (!header) throw unauthorized('missing Authorization header')
  const match = /^Bearer +([^\s]+) *$/i.exec(header)
  if (!match) throw unauthorized('Authorization must be "Bearer <token>"')
  let verified: Awaited<ReturnType<TokenVerifier>>
  try {
    verified = await verifier(match[1]!)
  } catch {
    verified = null
  }
  if (!verified || typeof verified.userId !== 'string' || verified.userId.length === 0) {
    throw unauthorized('token is invalid or expired')
  }
  return verified.userId
}

/** 403 when a body or query names a user other than the authenticated one. */
export function requireOwnUser(named: string | null, userId: string): void {
  if (named !== null && named !== userId) {
    throw new HttpError(403, 'forbidden', 'the request names another user than the token')
  }
}
