import type { ServerLogger } from '../logger'

/** Used only outside production when no secret is configured; anyone can sign tokens with it. */
export const developmentSecret = 'autosync-development-secret-not-for-production'

export interface ResolveSecretOptions {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>
  logger?: ServerLogger
}

/**
 * The token secret from `AUTOSYNC_SERVER_SECRET`. Without it, production (`NODE_ENV=production`) refuses to
 * start; development falls back to a fixed, public secret and warns.
 */
export function resolveServerSecret(options: ResolveSecretOptions = {}): string {
  const env = options.env ?? process.env
  const secret = env.AUTOSYNC_SERVER_SECRET
  if (secret) return secret
  if (env.NODE_ENV === 'production') {
    throw new Error('[autosync] [server] AUTOSYNC_SERVER_SECRET is required when NODE_ENV=production')
  }
  options.logger?.warn({
    event: 'development-secret',
    message: 'AUTOSYNC_SERVER_SECRET is not set: using the public development secret; never do this in production',
  })
  return developmentSecret
}
