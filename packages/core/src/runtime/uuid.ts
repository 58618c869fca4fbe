/** What `randomUuid` needs of WebCrypto; `randomUUID` is missing in insecure contexts (plain http on a LAN address). */
export type UuidSource = Pick<Crypto, 'getRandomValues'> & { randomUUID?: () => string }

/** A random RFC 4122 version 4 UUID, from `randomUUID` where there is one, else from 16 random bytes. */
export function randomUuid(source: UuidSource = crypto): string {
  if (source.randomUUID) return source.randomUUID()
  const bytes = source.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
