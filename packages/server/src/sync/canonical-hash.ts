import { createHash } from 'node:crypto'

// Key order and whitespace must not change the hash: a retried batch may be serialized again.
function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize)
  if (typeof value === 'object' && value !== null) {
    const sorted: Record<string, unknown> = Object.create(null)
    for (const key of Object.keys(value).sort()) sorted[key] = canonicalize((value as Record<string, unknown>)[key])
    return sorted
  }
  return value
}

/** SHA-256 (hex) of `value` serialized with sorted object keys. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalize(value)))
    .digest('hex')
}
