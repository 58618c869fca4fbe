import type { ServerResponse } from 'node:http'
import { stringifyJson } from './deep-json'
import type { HttpError } from './http-error'

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  // Stored records were checked when written, but an older server may have kept deeper ones: /pull must answer.
  sendJsonText(response, status, stringifyJson(body), headers)
}

/** Sends JSON already serialized (a stored answer or snapshot) without parsing it again. */
export function sendJsonText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.statusCode = status
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value)
  response.setHeader('Content-Type', 'application/json; charset=utf-8')
  response.setHeader('Content-Length', Buffer.byteLength(text))
  response.setHeader('Cache-Control', 'no-store')
  response.end(text)
}

export function sendError(response: ServerResponse, error: HttpError): void {
  const body: { code: string; message: string; details?: Record<string, unknown> } = {
    code: error.code,
    message: error.message,
  }
  if (error.details) body.details = error.details
  sendJson(response, error.status, { error: body }, error.headers)
}
