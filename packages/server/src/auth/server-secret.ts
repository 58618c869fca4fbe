import { readFileSync } from 'node:fs'
import type { ServerLogger } from '../logger'

/** Used only by a server bound to loopback when no secret is configured; anyone can sign tokens with it. */
export const developmentSecret = 'autosync-development-secret-not-for-production'

/** HMAC-SHA256 keys shorter than its block's half are guessable offline from one token. */
export const minimumSecretBytes = 32

export interface ResolveSecretOptions {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>
  logger?: ServerLogger
  /** The host the server listens on: the development secret serves only loopback. Default `'127.0.0.1'`. */
  host?: string
  /** A file whose content (without a trailing newline) is the secret; wins over `AUTOSYNC_SERVER_SECRET`. */
  secretFile?: string
}

const howToSet =
  'set AUTOSYNC_SERVER_SECRET (e.g. export AUTOSYNC_SERVER_SECRET="$(openssl rand -base64 32)") or pass --secret-file <path>'

/** 127.0.0.0/8, ::1 and `localhost`: the only hosts the public development secret may serve. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare)
}

export const developmentSecretRefused = (host: string) =>
  new Error(
    `[autosync] [server] no token secret: a server on ${host} is reachable from other machines, and the public development secret would let anyone sign tokens for any user; ${howToSet}`,
  )

/** Refuses a secret that would make tokens forgeable: empty, or shorter than 32 bytes. */
export function checkSecret(secret: string, source: string): string {
  if (Buffer.byteLength(secret) < minimumSecretBytes) {
    throw new Error(
      `[autosync] [server] ${source} is ${secret === '' ? 'empty' : 'too short'}: a token secret needs at least ${minimumSecretBytes} bytes; ${howToSet}`,
    )
  }
  return secret
}

/**
 * The token secret from `--secret-file` or `AUTOSYNC_SERVER_SECRET`; an empty or short one is refused. Without
 * one, production (`NODE_ENV=production`) and any host but loopback refuse to start; a loopback server falls
 * back to a fixed, public development secret and warns.
 */
export function resolveServerSecret(options: ResolveSecretOptions = {}): string {
  const env = options.env ?? process.env
  if (options.secretFile !== undefined) {
    const text = readFileSync(options.secretFile, 'utf8').replace(/\r?\n$/, '')
    return checkSecret(text, `the secret file ${options.secretFile}`)
  }
  const secret = env.AUTOSYNC_SERVER_SECRET
  if (secret !== undefined) return checkSecret(secret, 'AUTOSYNC_SERVER_SECRET')
  if (env.NODE_ENV === 'production') {
    throw new Error(`[autosync] [server] a token secret is required when NODE_ENV=production: ${howToSet}`)
  }
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host)) throw developmentSecretRefused(host)
  options.logger?.warn({
    event: 'development-secret',
    message:
      'AUTOSYNC_SERVER_SECRET is not set: using the public development secret (loopback only); never do this in production',
  })
  return developmentSecret
}
