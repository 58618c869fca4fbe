// Issue #23 item 2 on the reference server: the seed's service (compat, its skip rules on) records writes for a
// user who is not active; they wait queued under their owner and are pushed with that owner's token once active.
import { configureAutoSync, getAutoSync, initAutoSync } from '@autosync/core/compat'
import { createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { afterAll, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { openDeviceStorage, quiet } from './support/device-storage'
import { sqliteLane } from './support/server-lanes'

const signer = createTokenSigner('adapter-rest-user-switch-secret-0123456789abcdef')

describe("another user's queued records through the seed's service (issue #23)", async () => {
  const lane = sqliteLane()
  const server = createSyncServer({ store: lane.store, verifier: signer.verify, logger: silentLogger })
  const { url } = await server.listen(0, '127.0.0.1')
  afterAll(async () => {
    await getAutoSync()?.stop()
    await server.close()
    await lane.dispose()
  })

  it('wait under their owner, count as that user’s pending, and reach the server with that user’s token', async () => {
    const { storage, clock } = await openDeviceStorage('switch-device', 'alice', 1_000_000)
    let activeUser = 'alice'
    const tokensSent: string[] = []
    await configureAutoSync({
      storage,
      adapter: restAdapter({
        baseUrl: url,
        getToken: () => signer.sign(activeUser),
        fetch: (input, init) => {
          const authorization = new Headers(init?.headers ?? (input instanceof Request ? input.headers : {})).get(
            'authorization',
          )
          if (String(input instanceof Request ? input.url : input).endsWith('/push') && authorization)
            tokensSent.push(authorization)
          return fetch(input, init)
        },
      }),
      clock,
      logger: quiet,
    })
    await initAutoSync('alice')
    await storage.put('notes', { id: 'a1', userId: 'alice', text: "alice's note" })
    // Written while alice is active, for bob (e.g. a record shared to him, or a late write of his session).
    await storage.put('notes', { id: 'b1', userId: 'bob', text: "bob's note" })
    const engine = getAutoSync()!
    await engine.syncNow()

    expect((await lane.store.readChangesAfter('alice', null, 10)).map((record) => record.key)).toEqual(['"a1"'])
    expect(await lane.store.readChangesAfter('bob', null, 10)).toEqual([])
    expect(await storage.outbox.count({ userId: 'bob' })).toBe(1)
    expect(engine.getStatus()).toMatchObject({ userId: 'alice', pendingChanges: 0, deadLetters: 0 })

    activeUser = 'bob'
    await initAutoSync('bob')
    expect(getAutoSync()!.getStatus()).toMatchObject({ userId: 'bob', pendingChanges: 1 })
    await getAutoSync()!.syncNow()
    const bobs = await lane.store.readChangesAfter('bob', null, 10)
    expect(bobs.map((record) => [record.key, (record.value as { text?: string } | null)?.text])).toEqual([
      ['"b1"', "bob's note"],
    ])
    expect(await storage.outbox.count({ userId: 'bob' })).toBe(0)
    expect(await storage.deadLetters.count()).toBe(0)
    // Each push carried the token of the user whose records it held.
    const users = tokensSent.map((header) => signer.verify(header.replace(/^Bearer /, '')))
    expect(await Promise.all(users)).toEqual([
      expect.objectContaining({ userId: 'alice' }),
      expect.objectContaining({ userId: 'bob' }),
    ])
  })
})
