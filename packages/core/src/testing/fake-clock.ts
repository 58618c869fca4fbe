import type { Clock } from '../types'

export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in order; awaited promises settle between timers. */
  advance(ms: number): Promise<void>
  /** Advances to the next timer until none is left (at most `limit` timers). */
  runAll(limit?: number): Promise<void>
  /** Moves time to the earliest timer and fires it; resolves `false` when no timer is left. */
  runNext(): Promise<boolean>
  /** Timers not yet fired. */
  pending(): number
  /** Lets awaited promises settle without moving time. */
  flush(): Promise<void>
}

interface Timer {
  id: number
  at: number
  callback: () => void
}

export interface FakeClockOptions {
  /** The time the clock starts at. Default 0. */
  start?: number
  /** Macrotask turns given to pending work (promises, fake-indexeddb requests) after each timer. Default 40. */
  settleTurns?: number
}

const nextTurn = (resolve: () => void) =>
  typeof setImmediate === 'function' ? setImmediate(resolve) : globalThis.setTimeout(resolve, 0)

/**
 * A clock for tests: time moves only when `advance` or `runAll` is called.
 * @example const clock = createFakeClock(); autoSync = createAutoSync({ ..., clock }); await clock.advance(2_000)
 */
export function createFakeClock(options: FakeClockOptions = {}): FakeClock {
  const { start = 0, settleTurns = 40 } = options
  // Lets chains of awaited promises (and fake-indexeddb's queued callbacks) run to completion.
  const settle = async () => {
    for (let turn = 0; turn < settleTurns; turn++) await new Promise<void>(nextTurn)
  }
  let now = start
  let nextId = 1
  const timers: Timer[] = []
  const due = (limit: number) => {
    let first: Timer | undefined
    for (const timer of timers) if (timer.at <= limit && (!first || timer.at < first.at)) first = timer
    return first
  }
  const fire = (timer: Timer) => {
    timers.splice(timers.indexOf(timer), 1)
    now = Math.max(now, timer.at)
    timer.callback()
  }
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const timer = { id: nextId++, at: now + Math.max(0, ms), callback }
      timers.push(timer)
      return timer.id
    },
    clearTimeout(handle) {
      const index = timers.findIndex((timer) => timer.id === handle)
      if (index >= 0) timers.splice(index, 1)
    },
    async advance(ms) {
      const target = now + ms
      await settle()
      for (let timer = due(target); timer; timer = due(target)) {
        fire(timer)
        await settle()
      }
      now = target
      await settle()
    },
    async runAll(limit = 10_000) {
      await settle()
      for (let count = 0; count < limit; count++) {
        const timer = due(Number.POSITIVE_INFINITY)
        if (!timer) return
        fire(timer)
        await settle()
      }
      throw new Error(`[autosync] [testing] runAll: timers still pending after ${limit}`)
    },
    async runNext() {
      await settle()
      const timer = due(Number.POSITIVE_INFINITY)
      if (!timer) return false
      fire(timer)
      await settle()
      return true
    },
    pending: () => timers.length,
    flush: settle,
  }
}
