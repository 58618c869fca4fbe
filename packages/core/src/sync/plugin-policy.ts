import type { Change, PluginContext, RemoteChange, StorageEvent, SyncPlugin } from '../types'

/** The first plugin that skips this event, as `[plugin name, reason]`. */
export function skipReason(plugins: readonly SyncPlugin[], event: StorageEvent, context: PluginContext) {
  for (const plugin of plugins) {
    const verdict = plugin.skip?.(event, context)
    if (verdict) return [plugin.name, verdict === true ? plugin.name : verdict] as const
  }
  return undefined
}

/** Every plugin's `transform` in order; `null` once one drops the change. */
export function transformOutgoing(plugins: readonly SyncPlugin[], change: Change, context: PluginContext) {
  let outgoing: Change | null = change
  for (const plugin of plugins) if (outgoing && plugin.transform) outgoing = plugin.transform(outgoing, context)
  return outgoing
}

/** Every plugin's `transformRemote` in order; `null` once one leaves the change unapplied. */
export function transformIncoming(plugins: readonly SyncPlugin[], change: RemoteChange, context: PluginContext) {
  let incoming: RemoteChange | null = change
  for (const plugin of plugins) {
    if (!incoming || !plugin.transformRemote) continue
    try {
      incoming = plugin.transformRemote(incoming, context)
    } catch (error) {
      throw new Error(`the "${plugin.name}" plugin threw: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      })
    }
  }
  return incoming
}

/** Whether any plugin reads the pull side (so the pull path skips the extra work otherwise). */
export const transformsRemote = (plugins: readonly SyncPlugin[]) => plugins.some((plugin) => plugin.transformRemote)
