import type { Clock, Logger, Network, Random } from '../types'

/** Wraps the globals through functions so spies installed later still see the calls. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export const mathRandom: Random = () => Math.random()

/** `navigator.onLine` with the window's `online`/`offline` events; always online where those are missing (Node). */
export const browserNetwork: Network = {
  isOnline: () => globalThis.navigator?.onLine !== false,
  subscribe(listener) {
    const update = () => listener(browserNetwork.isOnline())
    // Optional calls: Node's global has no addEventListener.
    globalThis.addEventListener?.('online', update)
    globalThis.addEventListener?.('offline', update)
    return () => {
      globalThis.removeEventListener?.('online', update)
      globalThis.removeEventListener?.('offline', update)
    }
  },
}

const ignore = () => {}

/** Logs nothing. */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

/** The default logger: console at `warn` (debug and info are dropped). */
export const consoleLogger: Logger = {
  debug: ignore,
  info: ignore,
  warn: (...parts) => console.warn(...parts),
  error: (...parts) => console.error(...parts),
}
