import { AutoSyncError } from '../errors'
import type { SyncExtension } from '../types'

export type Extensions = ReturnType<typeof createExtensions>

/** The extensions of one engine (`host.extend`): push hooks for all of them, one pull cycle at most. */
export function createExtensions(onPullsChanged: (pulls: boolean) => void) {
  const list: SyncExtension[] = []
  const puller = () => list.find((extension) => extension.pullCycle)
  return {
    add(extension: SyncExtension): () => void {
      const present = puller()
      if (extension.pullCycle && present) {
        throw new AutoSyncError(
          `[autosync] [sync] the "${extension.name}" extension brings a pull cycle, but "${present.name}" already does: an engine pulls through one (use twoWay() once)`,
          { code: 'extension-conflict' },
        )
      }
      list.push(extension)
      if (extension.pullCycle) onPullsChanged(true)
      return () => {
        const index = list.indexOf(extension)
        if (index < 0) return
        list.splice(index, 1)
        if (extension.pullCycle) onPullsChanged(false)
      }
    },
    /** The extension that pulls, if any. */
    puller,
    /** The first extension backing `autoSync.pull()` or `restore()`. */
    find: (method: 'pull' | 'restore') => list.find((extension) => extension[method]),
    async beforePush(changes: Parameters<NonNullable<SyncExtension['beforePush']>>[0]): Promise<void> {
      for (const extension of list) await extension.beforePush?.(changes)
    },
    async afterPush(...args: Parameters<NonNullable<SyncExtension['afterPush']>>): Promise<void> {
      for (const extension of list) await extension.afterPush?.(...args)
    },
  }
}
