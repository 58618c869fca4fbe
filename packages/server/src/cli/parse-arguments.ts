export type CliCommand =
  | { command: 'serve'; db: string; port: number; host: string; corsOrigin: string[]; batchRetentionDays: number }
  | { command: 'token'; userId: string; expiresInSeconds: number }
  | { command: 'help' }

export const usage = `Usage:
  autosync-server [--db sqlite:./autosync-data.db | --db postgres://…] [--port 8787] [--host 127.0.0.1]
                  [--cors-origin <origin>]... [--batch-retention-days 7]
  autosync-server token <userId> [--expires 3600]

Environment: AUTOSYNC_SERVER_SECRET (required when NODE_ENV=production) signs and verifies tokens.`

function fail(message: string): never {
  throw new Error(`[autosync] [server] ${message}\n\n${usage}`)
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
    let expiresInSeconds = 3600
    for (let index = 2; index < args.length; index += 2) {
      if (args[index] !== '--expires') fail(`unknown option ${args[index]}`)
      expiresInSeconds = integerOption(args[index + 1], '--expires', 10 * 365 * 24 * 3600)
      if (expiresInSeconds === 0) fail('--expires must be positive')
    }
    return { command: 'token', userId, expiresInSeconds }
  }
  const parsed = {
    command: 'serve' as const,
    db: 'sqlite:./autosync-data.db',
    port: 8787,
    host: '127.0.0.1',
    corsOrigin: [] as string[],
    batchRetentionDays: 7,
  }
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index]
    const value = args[index + 1]
    if (value === undefined) fail(`${flag} needs a value`)
    if (flag === '--db') parsed.db = value
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
