import type { AutoSync, SyncHost, SyncPlugin } from '../types'

/**
 * The engine's plugins and their teardowns: a plugin is set up when it joins and again after `stop()` then
 * `start()`, and torn down when it leaves or the engine stops.
 */
export function createPluginSet(autoSync: () => AutoSync, host: () => SyncHost) {
  const plugins: SyncPlugin[] = []
  const teardowns = new Map<SyncPlugin, () => void>()
  const setUp = (plugin: SyncPlugin) => {
    const teardown = !teardowns.has(plugin) && plugin.setup?.(autoSync(), host())
    if (teardown) teardowns.set(plugin, teardown)
  }
  const tearDown = (plugin: SyncPlugin) => {
    teardowns.get(plugin)?.()
    teardowns.delete(plugin)
  }
  return {
    list: plugins as readonly SyncPlugin[],
    use(plugin: SyncPlugin): () => void {
      plugins.push(plugin)
      setUp(plugin)
      return () => {
        const index = plugins.indexOf(plugin)
        if (index >= 0) plugins.splice(index, 1)
        tearDown(plugin)
      }
    },
    setUpAll: () => plugins.forEach(setUp),
    tearDownAll: () => [...teardowns.keys()].forEach(tearDown),
  }
}
