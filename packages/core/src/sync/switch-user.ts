import { type Engine, freshUserState } from './engine'

/** Aborts the running attempt, then points the engine at `next`: no failures or burst carried over, its own counts and election. */
export async function switchUser(engine: Engine, next: string | null): Promise<void> {
  const { state, status, storage } = engine
  const previousUserId = state.userId
  if (next === previousUserId) return
  await engine.abort()
  state.userId = next
  storage.setActiveUser(next)
  Object.assign(state, freshUserState())
  status.set({ lastError: null, progress: null, lastSyncTime: null })
  if (state.started) {
    await engine.loadUser()
    engine.tabs.join()
  }
  engine.refresh()
  engine.emit({ type: 'user-switched', previousUserId, userId: next })
}
