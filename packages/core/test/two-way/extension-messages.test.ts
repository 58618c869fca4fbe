import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { AutoSyncError } from '../../src/errors'
import { createAutoSync } from '../../src/sync/auto-sync'
import { twoWay } from '../../src/two-way/plugin'
import type { RemoteChange, SyncPlugin } from '../../src/types'
import { remoteNote, useScriptedPages } from './scripted-pages'

const deviceWithPages = useScriptedPages()

describe('two-way errors say what happened', () => {
  it('a pull that failed with a plain error keeps it as cause and names it, never "undefined"', async () => {
    const device = await deviceWithPages([])
    const broken = new TypeError('socket hang up')
    device.autoSync.adapter.pull = async () => {
      throw broken
    }
    const failed = await device.autoSync.pull().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(failed) && failed.code).toBe('pull-failed')
    expect((failed as Error).message).toBe('[autosync] [two-way] pull failed: socket hang up')
    expect((failed as Error).cause).toBe(broken)
  })

  it('an adapter that cannot pull is named when twoWay() joins, before anything syncs', async () => {
    const device = await deviceWithPages([])
    const { pull: _pull, ...pushOnly } = device.autoSync.adapter
    const engine = createAutoSync({ storage: device.storage, adapter: { ...pushOnly, name: 'archive' }, userId: 'u1' })
    expect(() => engine.use(twoWay())).toThrow(
      expect.objectContaining({
        code: 'pull-unsupported',
        message:
          '[autosync] [two-way] the "archive" adapter cannot pull (no pull() or capability pull), so twoWay() cannot sync in both directions; use it with an adapter that pulls',
      }),
    )
  })

  it('restore on an adapter without restore() is restore-unsupported, not a missing backup', async () => {
    const device = await deviceWithPages([])
    device.autoSync.adapter.restore = undefined
    const refused = await device.autoSync.restore().catch((error: unknown) => error)
    expect(AutoSyncError.isInstance(refused) && refused.code).toBe('restore-unsupported')
    expect((refused as Error).message).toBe(
      '[autosync] [restore] the "memory" adapter cannot restore a backup (it has no restore()); nothing was changed',
    )
  })
})

describe("an app plugin's transformRemote", () => {
  const upperCase: SyncPlugin = {
    name: 'shout',
    transformRemote: (change: RemoteChange) =>
      change.value ? { ...change, value: { ...change.value, text: String(change.value.text).toUpperCase() } } : change,
  }

  it('sees each remote change and what it returns is what the device stores', async () => {
    const device = await deviceWithPages([{ changes: [remoteNote('n1', '1')], cursor: '1', hasMore: false }])
    device.autoSync.use(upperCase)
    await device.autoSync.pull()
    expect((await device.notes()).n1).toEqual({ id: 'n1', userId: 'u1', text: 'N1' })
  })

  it('null leaves a change unapplied; a throw dead-letters that change alone; what it returns is checked again', async () => {
    const picky: SyncPlugin = {
      name: 'picky',
      transformRemote(change) {
        if (change.key === 'skip') return null
        if (change.key === 'boom') throw new Error('cannot read this one')
        if (change.key === 'retable') return { ...change, table: 'local' }
        return change
      },
    }
    const device = await deviceWithPages([
      {
        changes: [
          remoteNote('skip', '1'),
          remoteNote('boom', '2'),
          remoteNote('retable', '3'),
          remoteNote('kept', '4'),
        ],
        cursor: '4',
        hasMore: false,
      },
    ])
    device.autoSync.use(picky)
    expect(await device.autoSync.pull()).toEqual({ applied: 1, conflicts: 0 })
    expect(Object.keys(await device.notes())).toEqual(['kept'])
    const reasons = (await device.storage.deadLetters.list()).map((letter) => letter.reason).sort()
    expect(reasons).toEqual([
      '[autosync] [pull] a remote change to local/retable was refused: this app has no synced table named "local"; it was not applied and the rest of the page was',
      `[autosync] [pull] a remote change to notes/boom was refused by a plugin's transformRemote (the "picky" plugin threw: cannot read this one); it was not applied and the rest of the page was`,
    ])
    expect(device.autoSync.getStatus().pullCursor).toBe('4')
  })
})
