import type { IncomingMessage, ServerResponse } from 'node:http'

/** Origins allowed to call the server from a browser: one, several, or `'*'`. */
export type CorsOrigin = string | readonly string[]

/** Sets CORS headers when the request's Origin is allowed; returns whether it is. */
export function applyCors(
  request: IncomingMessage,
  response: ServerResponse,
  allowed: CorsOrigin | undefined,
): boolean {
  const origin = request.headers.origin
  if (allowed === undefined || origin === undefined) return false
  const origins = typeof allowed === 'string' ? [allowed] : allowed
  if (!origins.includes('*') && !origins.includes(origin)) return false
  response.setHeader('Access-Control-Allow-Origin', origin)
  response.setHeader('Vary', 'Origin')
  response.setHeader('Access-Control-Expose-Headers', 'Retry-After')
  return true
}

/** Answers a CORS preflight for the protocol's methods and headers. */
export function answerPreflight(response: ServerResponse, allowedMethods: readonly string[]): void {
  response.statusCode = 204
  response.setHeader('Allow', [...allowedMethods, 'OPTIONS'].join(', '))
  response.setHeader('Access-Control-Allow-Methods', [...allowedMethods, 'OPTIONS'].join(', '))
  response.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key')
  response.setHeader('Access-Control-Max-Age', '600')
  response.end()
}
