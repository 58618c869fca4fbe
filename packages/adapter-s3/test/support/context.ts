import type { AdapterContext, Clock } from '@autosync/core'
import { silentLogger } from '@autosync/core'

/** Timers fire only when the test says so; `now` is settable (signing dates, segment positions, settle window). */
export function manualClock(start = Date.now()) {
  const timers = new Map<number, () => void>()
  let next = 0
  let offset = 0
  const clock = {
    now: () => start + offset,
    setTimeout(callback: () => void) {
      timers.set(++next, callback)
      return next
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as number)
    },
    fireAll() {
      for (const [handle, callback] of [...timers]) {
        timers.delete(handle)
        callback()
      }
    },
    advance(ms: number) {
      offset += ms
    },
  } satisfies Clock & Record<string, unknown>
  return clock
}

export function adapterContext(
  userId: string,
  clientId = 'device-a',
  signal = new AbortController().signal,
): AdapterContext {
  return { signal, userId, clientId, logger: silentLogger }
}
