export type CliCommand =
  | {
      command: 'serve'
      db: string
      port: number
      host: string
      corsOrigin: string[]
      batchRetentionDays: number
      secretFile?: string
    }
  | { command: 'token'; userId: string; expiresInSeconds: number; secretFile?: string }
  | { command: 'help' }

export const usage = `Usage:
  autosync-server [--db sqlite:./autosync-data.db | --db sqlite::memory: | --db postgres://…] [--port 8787]
                  [--host 127.0.0.1] [--cors-origin <origin>]... [--batch-retention-days 7] [--secret-file <path>]
  autosync-server token <userId> [--expires 3600] [--secret-file <path>]

The token secret (at least 32 bytes) comes from --secret-file or AUTOSYNC_SERVER_SECRET. Without one, only a
server on loopback (127.0.0.1, ::1, localhost) starts, with a public development secret; NODE_ENV=production
and any other --host refuse to start.`

function fail(message: string): never {
  throw new Error(`[autosync] [server] ${message}\n\n${usage}`)
}

function flagValue(flag: string, value: string | undefined): string {
  if (value === undefined || value.startsWith('--')) fail(`${flag} needs a value`)
  return value
}

function integerOption(value: string | undefined, flag: string, maximum: number): number {
  if (value === undefined || !/^[0-9]+$/.test(value) || Number(value) > maximum) {
    fail(`${flag} needs an integer from 0 to ${maximum}`)
  }
  return Number(value)
}

/** Parses the CLI arguments (without `node` and the script). Throws with the usage on a mistake. */
export function parseCliArguments(argv: readonly string[]): CliCommand {
  const args = [...argv]
  if (args.includes('--help') || args.includes('-h')) return { command: 'help' }
  if (args[0] === 'token') {
    const userId = args[1]
    if (!userId || userId.startsWith('--')) fail('token needs a userId')
    const token: Extract<CliCommand, { command: 'token' }> = { command: 'token', userId, expiresInSeconds: 3600 }
    for (let index = 2; index < args.length; index += 2) {
      const flag = args[index]
      if (flag !== '--expires' && flag !== '--secret-file') fail(`unknown option ${flag}`)
      const value = flagValue(flag, args[index + 1])
      if (flag === '--secret-file') token.secretFile = value
      else {
        token.expiresInSeconds = integerOption(value, '--expires', 10 * 365 * 24 * 3600)
        if (token.expiresInSeconds === 0) fail('--expires must be positive')
      }
    }
    return token
  }
  const parsed: Extract<CliCommand, { command: 'serve' }> = {
    command: 'serve',
    db: 'sqlite:./autosync-data.db',
    port: 8787,
    host: '127.0.0.1',
    corsOrigin: [] as string[],
    batchRetentionDays: 7,
  }
  const flags = ['--db', '--port', '--host', '--cors-origin', '--batch-retention-days', '--secret-file']
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index] as string
    // Checked before its value, so a misspelt flag is named as unknown rather than as missing a value.
    if (!flags.includes(flag)) fail(`unknown option ${flag}`)
    const value = flagValue(flag, args[index + 1])
    if (flag === '--db') parsed.db = value
    else if (flag === '--secret-file') parsed.secretFile = value
    else if (flag === '--port') parsed.port = integerOption(value, '--port', 65535)
    else if (flag === '--host') parsed.host = value
    else if (flag === '--cors-origin') parsed.corsOrigin.push(value)
    else if (flag === '--batch-retention-days') {
      parsed.batchRetentionDays = integerOption(value, flag, 3650)
      if (parsed.batchRetentionDays === 0) fail(`${flag} must be positive`)
    } else fail(`unknown option ${flag}`)
  }
  return parsed
}
