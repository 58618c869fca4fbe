import type { Engine } from './engine'

/** Aborts the running attempt, then points the engine at `next`: no failures or burst carried over, its own counts and election. */
export async function switchUser(
  engine: Engine,
  next: string | null,
  abort: () => Promise<void>,
  loadUser: () => Promise<void>,
): Promise<void> {
  const { scheduler, storage } = engine
  const previousUserId = scheduler.state.userId
  if (next === previousUserId) return
  await abort()
  storage.setActiveUser(next)
  scheduler.dispatch({ type: 'user-switched', userId: next })
  scheduler.report({ lastError: null, progress: null, lastSyncTime: null })
  if (scheduler.state.started) {
    await loadUser()
    engine.tabs.join()
  }
  scheduler.refresh()
  engine.emit({ type: 'user-switched', previousUserId, userId: next })
}
