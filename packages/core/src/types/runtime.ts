/** Every timer of autosync goes through a Clock so tests can drive time exactly. */
export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Connectivity as the platform reports it; offline pauses sync attempts without counting a failure. */
export interface Network {
  isOnline(): boolean
  subscribe(listener: (online: boolean) => void): () => void
}

/** A number in [0, 1), used for jitter. */
export type Random = () => number

/** console-compatible. Messages never contain tokens or record values. */
export interface Logger {
  debug(...parts: unknown[]): void
  info(...parts: unknown[]): void
  warn(...parts: unknown[]): void
  error(...parts: unknown[]): void
}
