// For adapters that speak HTTP: one status table and one Retry-After parser, so every adapter classifies alike.

export { parseRetryAfter } from './http/retry-after'
export { classifyHttpStatus, type HttpStatusClass } from './http/status'
