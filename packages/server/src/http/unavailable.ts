const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'SQLITE_BUSY'])

/** True for failures that mean "the database cannot answer right now" (503 + Retry-After), not a bug (500). */
export function isUnavailableError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') {
    return (
      error instanceof Error && /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
    )
  }
  // PostgreSQL classes 08 (connection), 53 (resources), 57P (shutdown), 40001/40P01 (retry the transaction).
  return networkCodes.has(code) || /^(08|53|57P)/.test(code) || code === '40001' || code === '40P01'
}
