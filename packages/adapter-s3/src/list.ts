import { failure } from './errors'
import { encodeSegment, objectUrl } from './keys'
import type { ResolvedOptions } from './options'
import type { Send } from './transport'

export interface ListedObject {
  /** The full object key, encoded segment by segment like every key this adapter builds. */
  key: string
  size: number
}

const decodeXml = (text: string) =>
  text.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi, (_, name: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }
    if (named[name]) return named[name]
    return String.fromCodePoint(
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1)),
    )
  })

// Object keys travel encoded once (see keys.ts): S3 stores and lists them decoded, so a listed key is re-encoded.
const encodeKey = (key: string) => key.split('/').map(encodeSegment).join('/')

/**
 * ListObjectsV2 under `prefix` (decoded key text) after `startAfter`, page by page until `enough` says stop.
 * A continuation token seen twice means the listing loops: a `protocol` failure instead of an endless pull.
 */
export async function listObjects(
  options: ResolvedOptions,
  send: Send,
  folder: string,
  /** `prefix` and `startAfter` are encoded keys (as built by keys.ts). */
  request: { prefix: string; startAfter?: string; signal: AbortSignal; enough?: (count: number) => boolean },
): Promise<{ objects: ListedObject[]; truncated: boolean }> {
  const objects: ListedObject[] = []
  const seenTokens = new Set<string>()
  let token: string | undefined
  for (;;) {
    let query = `?list-type=2&prefix=${request.prefix}`
    if (token !== undefined) query += `&continuation-token=${encodeURIComponent(token)}`
    else if (request.startAfter) query += `&start-after=${request.startAfter}`
    const { text } = await send({ method: 'GET', url: objectUrl(options, folder, '', query), signal: request.signal })
    if (!text.includes('<ListBucketResult')) {
      throw failure(`a bucket listing of "${options.bucket}" is not a ListBucketResult`, 'protocol', {
        retryable: true,
      })
    }
    for (const match of text.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const body = match[1]!
      const key = encodeKey(decodeXml(/<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1] ?? ''))
      objects.push({ key, size: Number(/<Size>(\d+)<\/Size>/.exec(body)?.[1] ?? 0) })
    }
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(text)
    if (!truncated) return { objects, truncated: false }
    if (request.enough?.(objects.length)) return { objects, truncated: true }
    const next = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(text)?.[1]
    if (next === undefined || seenTokens.has(next)) {
      throw failure(
        `the listing of bucket "${options.bucket}" loops (a continuation token came back twice or is missing)`,
        'protocol',
      )
    }
    seenTokens.add(next)
    token = decodeXml(next)
  }
}
