/** A structured log entry; never holds tokens, Authorization headers or record values. */
export type LogEntry = { event: string } & Record<string, unknown>

/** Structured logger; every method receives one entry object. */
export interface ServerLogger {
  info(entry: LogEntry): void
  warn(entry: LogEntry): void
  error(entry: LogEntry): void
}

/** One JSON line per entry with `time` and `level`, to `write` (default: stdout). */
export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(line)): ServerLogger {
  const log = (level: string) => (entry: LogEntry) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, ...entry })}\n`)
  return { info: log('info'), warn: log('warn'), error: log('error') }
}

/** Discards everything; for tests and benchmarks. */
export const silentLogger: ServerLogger = { info() {}, warn() {}, error() {} }
