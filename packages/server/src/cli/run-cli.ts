import { resolveServerSecret } from '../auth/server-secret'
import { createTokenSigner } from '../auth/token-signer'
import { createJsonLogger, type ServerLogger } from '../logger'
import { createSyncServer, type SyncServer } from '../server'
import { openStore } from '../store/open-store'
import type { SyncStore } from '../store/sync-store'
import { parseCliArguments, usage } from './parse-arguments'

export interface CliEnvironment {
  /** Default `process.env`. */
  env?: Record<string, string | undefined>
  /** Where the token and usage go. Default: stdout. */
  print?: (text: string) => void
  /** Default: JSON lines on stderr, so stdout stays the token alone. */
  logger?: ServerLogger
}

export interface RunningCli {
  server: SyncServer
  store: SyncStore
  url: string
  stop(): Promise<void>
}

/** Runs one CLI invocation: prints a token or the usage (returns null), or starts the server. */
export async function runCli(argv: readonly string[], environment: CliEnvironment = {}): Promise<RunningCli | null> {
  const print = environment.print ?? ((text: string) => process.stdout.write(`${text}\n`))
  const logger = environment.logger ?? createJsonLogger((line) => process.stderr.write(line))
  const command = parseCliArguments(argv)
  if (command.command === 'help') {
    print(usage)
    return null
  }
  const secret = resolveServerSecret({
    logger,
    ...(environment.env ? { env: environment.env } : {}),
    ...(command.command === 'serve' ? { host: command.host } : {}),
    ...(command.secretFile !== undefined ? { secretFile: command.secretFile } : {}),
  })
  const signer = createTokenSigner(secret)
  if (command.command === 'token') {
    print(signer.sign(command.userId, { expiresInSeconds: command.expiresInSeconds }))
    return null
  }
  const store = await openStore(command.db)
  const server = createSyncServer({
    store,
    verifier: signer.verify,
    logger,
    batchRetentionMs: command.batchRetentionDays * 24 * 60 * 60 * 1000,
    ...(command.corsOrigin.length > 0 ? { corsOrigin: command.corsOrigin } : {}),
  })
  const { url } = await server.listen(command.port, command.host)
  logger.info({ event: 'listening', url, database: store.database })
  return {
    server,
    store,
    url,
    async stop() {
      await server.close()
      await store.close()
    },
  }
}
