import 'fake-indexeddb/auto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AutoSyncError } from '../../src/errors'
import { twoWay } from '../../src/two-way/plugin'
import type { Change, PushResult, SyncHost, SyncPlugin } from '../../src/types'
import { createFixture } from './test-fixture'

/** An app's own plugin that extends the engine through the host it is given. */
function recordingPlugin() {
  const seen: { before: string[][]; after: { accepted: string[]; changes: string[] }[] } = { before: [], after: [] }
  let host: SyncHost | undefined
  const plugin: SyncPlugin = {
    name: 'recording',
    setup(_autoSync, given) {
      host = given
      return given.extend({
        name: 'recording',
        async beforePush(changes: Change[]) {
          seen.before.push(changes.map((change) => change.changeId))
        },
        async afterPush(result: PushResult, changes: readonly Change[]) {
          seen.after.push({ accepted: [...result.accepted], changes: changes.map((change) => change.changeId) })
        },
      })
    },
  }
  return { plugin, seen, host: () => host }
}

describe('the typed engine extension', () => {
  it("runs an app extension's push hooks around each batch, and its disposer removes them", async () => {
    const fixture = await createFixture()
    const recording = recordingPlugin()
    const unuse = fixture.autoSync.use(recording.plugin)
    await fixture.write('n1')
    await fixture.autoSync.syncNow()
    const id = `${fixture.storage.clientId}:`
    expect(recording.seen.before).toEqual([[expect.stringContaining(id)]])
    expect(recording.seen.after).toEqual([{ accepted: recording.seen.before[0], changes: recording.seen.before[0] }])
    unuse()
    await fixture.write('n2')
    await fixture.autoSync.syncNow()
    expect(fixture.pushes()).toBe(2)
    expect(recording.seen.before).toHaveLength(1)
  })

  it('lends the host what an extension reads: user, start, leadership, the storage access', async () => {
    const fixture = await createFixture()
    const recording = recordingPlugin()
    fixture.autoSync.use(recording.plugin)
    const host = recording.host()!
    expect(host).toMatchObject({ userId: 'u1', started: true })
    expect(host.isLeader()).toBe(true)
    expect(host.storage?.context.tables.has('notes')).toBe(true)
    await fixture.autoSync.switchUser('u2')
    expect(host.userId).toBe('u2')
  })

  it('refuses a second pull cycle with a named error instead of two competing pulls', async () => {
    const fixture = await createFixture({ plugins: [twoWay()] })
    const second: SyncPlugin = {
      name: 'my-puller',
      setup: (_autoSync, host) => host.extend({ name: 'my-puller', pullCycle: async () => false }),
    }
    let error: unknown
    try {
      fixture.autoSync.use(second)
    } catch (caught) {
      error = caught
    }
    expect(AutoSyncError.isInstance(error) && error.code).toBe('extension-conflict')
    expect((error as Error).message).toBe(
      '[autosync] [sync] the "my-puller" extension brings a pull cycle, but "two-way" already does: an engine pulls through one (use twoWay() once)',
    )
  })

  it('pull() and restore() name the plugin they need, and need it again once twoWay() is removed', async () => {
    const fixture = await createFixture()
    await expect(fixture.autoSync.pull()).rejects.toMatchObject({
      code: 'pull-not-enabled',
      message: '[autosync] [sync] pull() needs the twoWay() plugin from @autosync/core/two-way',
    })
    const unuse = fixture.autoSync.use(twoWay())
    expect(fixture.status().phase).not.toBe('stopped')
    await expect(fixture.autoSync.pull()).resolves.toEqual({ applied: 0, conflicts: 0 })
    unuse()
    await expect(fixture.autoSync.restore()).rejects.toMatchObject({
      code: 'restore-not-enabled',
      message: '[autosync] [sync] restore() needs the twoWay() plugin from @autosync/core/two-way',
    })
  })

  it('twoWay() called outside an engine, or on a storage not from openStorage, says so', async () => {
    const fixture = await createFixture()
    expect(() => twoWay().setup!(fixture.autoSync, undefined as unknown as SyncHost)).toThrow(
      expect.objectContaining({ code: 'two-way-needs-engine' }),
    )
    // A storage whose internals are hidden, as a hand-made Storage would be.
    const hidden = new Proxy(fixture.storage, {
      get: (target, property) => (typeof property === 'symbol' ? undefined : Reflect.get(target, property)),
    })
    const { createAutoSync } = await import('../../src/sync/auto-sync')
    const engine = createAutoSync({ storage: hidden, adapter: fixture.adapter, userId: 'u1', clock: fixture.clock })
    expect(() => engine.use(twoWay())).toThrow(
      expect.objectContaining({
        code: 'storage-not-extensible',
        message:
          '[autosync] [two-way] twoWay() writes pulled records in its own transactions and needs a storage from openStorage() of @autosync/core; "app" is not one',
      }),
    )
  })
})

describe('engine state has one owner', () => {
  it('only the reducer assigns engine state; every other module dispatches', () => {
    const folder = join(import.meta.dirname, '../../src')
    const writers = readdirSync(folder, { recursive: true })
      .map(String)
      .filter((file) => file.endsWith('.ts'))
      .filter((file) =>
        /\bstate\.\w+\s*(=(?!=)|\+\+|--|\+=|-=|\?\?=)|Object\.assign\(\s*state\b/.test(
          readFileSync(join(folder, file), 'utf8'),
        ),
      )
    expect(writers).toEqual([])
  })
})
