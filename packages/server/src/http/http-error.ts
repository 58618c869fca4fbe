/** A request problem answered with `{ error: { code, message, details? } }` and the given status. */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown> | undefined
  readonly headers: Record<string, string>

  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.status = status
    this.code = code
    this.details = options.details
    this.headers = options.headers ?? {}
  }
}

export function invalidBody(field: string, expectation: string): HttpError {
  return new HttpError(400, 'invalid-body', `${field} ${expectation}`, { details: { field } })
}

export function unknownField(field: string): HttpError {
  return new HttpError(400, 'unknown-field', `unknown field ${field}`, { details: { field } })
}
