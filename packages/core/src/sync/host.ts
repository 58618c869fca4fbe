import type { StorageAccess, SyncHost } from '../types'
import type { Engine } from './engine'

/** What a plugin's `setup` gets besides `autoSync`: the engine's typed extension point and what extensions read. */
export function createHost(engine: Engine, storage: StorageAccess | undefined, abort: () => Promise<void>): SyncHost {
  const { scheduler, clock } = engine
  return {
    extend: (extension) => engine.extensions.add(extension),
    requestPull: () => scheduler.dispatch({ type: 'pull-wanted', at: clock.now() }),
    get userId() {
      return scheduler.state.userId
    },
    get started() {
      return scheduler.state.started
    },
    isLeader: engine.tabs.isLeader,
    plugins: engine.plugins,
    emit: engine.emit,
    report: scheduler.report,
    recount: engine.recount,
    abort,
    storage,
    clock,
    logger: engine.logger,
  }
}
