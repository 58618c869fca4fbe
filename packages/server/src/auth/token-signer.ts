import { createHmac, timingSafeEqual } from 'node:crypto'
import { minimumSecretBytes } from './server-secret'

/** The result of a successful verification: the authenticated user. */
export interface VerifiedUser {
  userId: string
}

/** Decides who a bearer token belongs to; `null` (or a throw) means 401. */
export type TokenVerifier = (token: string) => VerifiedUser | null | Promise<VerifiedUser | null>

export interface TokenSignerOptions {
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number
}

export interface SignOptions {
  /** Lifetime of the token. Default 3600 (one hour). */
  expiresInSeconds?: number
}

export interface TokenSigner {
  sign(userId: string, options?: SignOptions): string
  verify: TokenVerifier
}

const maximumTokenLength = 4096

function hmac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest()
}

/**
 * HMAC-SHA256 signed bearer tokens: `base64url(JSON { sub, iat, exp }).base64url(signature)`.
 * Verification compares signatures in constant time and refuses expired tokens.
 *
 * @example
 * const signer = createTokenSigner(process.env.AUTOSYNC_SERVER_SECRET!)
 * const token = signer.sign('u1', { expiresInSeconds: 3600 })
 * signer.verify(token) // { userId: 'u1' }
 */
export function createTokenSigner(secret: string, options: TokenSignerOptions = {}): TokenSigner {
  if (typeof secret !== 'string' || Buffer.byteLength(secret) < minimumSecretBytes) {
    throw new TypeError(`[autosync] [server] the token secret must be at least ${minimumSecretBytes} bytes`)
  }
  const now = options.now ?? Date.now
  return {
    sign(userId, signOptions = {}) {
      if (typeof userId !== 'string' || userId.length === 0 || userId.length > 256) {
        throw new TypeError('[autosync] [server] userId must be a non-empty string of at most 256 characters')
      }
      const expiresInSeconds = signOptions.expiresInSeconds ?? 3600
      if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds <= 0) {
        throw new TypeError('[autosync] [server] expiresInSeconds must be a positive integer')
      }
      const issuedAt = Math.floor(now() / 1000)
      const payload = Buffer.from(
        JSON.stringify({ sub: userId, iat: issuedAt, exp: issuedAt + expiresInSeconds }),
      ).toString('base64url')
      return `${payload}.${hmac(secret, payload).toString('base64url')}`
    },
    verify(token) {
      if (typeof token !== 'string' || token.length > maximumTokenLength) return null
      const parts = token.split('.')
      if (parts.length !== 2) return null
      const [payload, signature] = parts as [string, string]
      // The signature text itself is compared: base64url decoding would accept other spellings of one token
      // (padding, stray characters, flipped unused low bits), and a token must have exactly one valid string.
      const expected = Buffer.from(hmac(secret, payload).toString('base64url'))
      const given = Buffer.from(signature)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
      let claims: unknown
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
      } catch {
        return null
      }
      const { sub, exp } = (claims ?? {}) as { sub?: unknown; exp?: unknown }
      if (typeof sub !== 'string' || sub.length === 0 || typeof exp !== 'number') return null
      if (exp * 1000 <= now()) return null
      return { userId: sub }
    },
  }
}
