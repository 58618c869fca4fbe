import type { BackoffPolicy } from '../types'

export interface ExponentialBackoffOptions {
  /** Delay after the first failure. Default 5,000 ms. */
  initialMs?: number
  /** Growth per further failure. Default 2. */
  factor?: number
  /** Longest delay. Default 300,000 ms. */
  maxMs?: number
  /** Up to this share of the delay is cut at random, so clients do not retry in lockstep. Default 0.5. */
  jitter?: number
}

/**
 * After the k-th consecutive failure: `min(maxMs, initialMs * factor^(k-1))`, shortened by up to `jitter` of itself.
 * @example exponentialBackoff({ initialMs: 1_000, jitter: 0 }) // 1 s, 2 s, 4 s…
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): BackoffPolicy {
  const { initialMs = 5_000, factor = 2, maxMs = 300_000, jitter = 0.5 } = options
  return {
    maxMs,
    delay(failures, random) {
      const base = Math.min(maxMs, initialMs * factor ** Math.max(0, failures - 1))
      return Math.round(base - base * jitter * random())
    },
  }
}
