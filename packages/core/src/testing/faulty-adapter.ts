import { AdapterError } from '../errors'
import type { Clock, SyncAdapter } from '../types'

export type FaultKind = 'server' | 'rate-limited' | 'timeout' | 'ack-lost'

export interface FaultyAdapterOptions {
  /** Seed of the PRNG: the same seed gives the same faults in the same order. */
  seed: number
  /** Share of pushes that fail. Default 0.3. */
  failureRate?: number
  /** Relative weights of the fault kinds. Default equal weights. */
  weights?: Partial<Record<FaultKind, number>>
  /** `Retry-After` of the simulated 429s. Default 2,000 ms. */
  retryAfterMs?: number
  /** How long a simulated timeout hangs before failing. Default 10,000 ms. */
  timeoutMs?: number
  /** Each push waits a random time up to this before it reaches the inner adapter. Default 0. */
  maxDelayMs?: number
  /** Required for delays and timeouts. */
  clock?: Clock
}

export interface FaultyAdapter extends SyncAdapter {
  /** How many of each fault were injected. */
  readonly faults: Record<FaultKind, number>
}

/** mulberry32: small, fast and good enough to spread faults. */
export function seededRandom(seed: number): () => number {
  let value = seed >>> 0
  return () => {
    value = (value + 0x6d2b79f5) >>> 0
    let mixed = Math.imul(value ^ (value >>> 15), value | 1)
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61)
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296
  }
}

function wait(clock: Clock | undefined, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted)
    return Promise.reject(new AdapterError('[autosync] [faulty] Aborted', { kind: 'network', retryable: true }))
  if (ms <= 0 || !clock) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const handle = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clock.clearTimeout(handle)
      reject(new AdapterError('[autosync] [faulty] Aborted', { kind: 'network', retryable: true }))
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * Wraps an adapter and injects failures from a seed: 500s, 429s with Retry-After, timeouts, and pushes
 * applied whose acknowledgement is lost.
 * @example createFaultyAdapter(createMemoryAdapter(), { seed: 7, failureRate: 0.3, clock })
 */
export function createFaultyAdapter(inner: SyncAdapter, options: FaultyAdapterOptions): FaultyAdapter {
  const random = seededRandom(options.seed)
  const failureRate = options.failureRate ?? 0.3
  const weights = { server: 1, 'rate-limited': 1, timeout: 1, 'ack-lost': 1, ...options.weights }
  const kinds = Object.keys(weights) as FaultKind[]
  const totalWeight = kinds.reduce((sum, kind) => sum + weights[kind], 0)
  const faults: Record<FaultKind, number> = { server: 0, 'rate-limited': 0, timeout: 0, 'ack-lost': 0 }
  const pick = (): FaultKind | undefined => {
    if (random() >= failureRate) return undefined
    let roll = random() * totalWeight
    for (const kind of kinds) {
      roll -= weights[kind]
      if (roll < 0) return kind
    }
    return kinds[kinds.length - 1]
  }
  return {
    ...inner,
    name: `faulty(${inner.name})`,
    faults,
    async push(batch, context) {
      const fault = pick()
      await wait(options.clock, Math.floor(random() * (options.maxDelayMs ?? 0)), context.signal)
      if (fault) faults[fault]++
      switch (fault) {
        case 'server':
          throw new AdapterError('[autosync] [faulty] HTTP 500', { kind: 'server', retryable: true, status: 500 })
        case 'rate-limited':
          throw new AdapterError('[autosync] [faulty] HTTP 429', {
            kind: 'rate-limited',
            retryable: true,
            status: 429,
            retryAfterMs: options.retryAfterMs ?? 2_000,
          })
        case 'timeout':
          await wait(options.clock, options.timeoutMs ?? 10_000, context.signal)
          throw new AdapterError('[autosync] [faulty] Timed out', { kind: 'timeout', retryable: true })
        case 'ack-lost':
          await inner.push(batch, context)
          throw new AdapterError('[autosync] [faulty] Connection reset after apply', {
            kind: 'network',
            retryable: true,
          })
        default:
          return inner.push(batch, context)
      }
    },
  }
}
