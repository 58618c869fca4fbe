import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultLimits } from '../src/limits'
import { createPostgresStore } from '../src/store/postgres-store'
import type { SyncStore } from '../src/store/sync-store'
import { applyPush } from '../src/sync/apply-push'
import { parsePushBody } from '../src/validation/push-body'
import { postgresUrl } from './support/backends'
import { batch, change } from './support/harness'

const url = postgresUrl('postgres rolling restart')

// Rolling restarts: an instance starting on a database that others serve must neither fail nor fail their pushes.
describe.skipIf(!url)('starting instances while another serves pushes', () => {
  const schema = `autosync_test_restart_${randomBytes(4).toString('hex')}`
  let serving: SyncStore
  let client: pg.Client
  beforeAll(async () => {
    serving = await createPostgresStore({ connectionString: url!, schema })
    client = new pg.Client({ connectionString: url })
    await client.connect()
  })
  afterAll(async () => {
    await serving?.close()
    await client?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await client?.end()
  })

  it('starts 20 times under push load with 0 failed starts and 0 failed pushes, upgrades included', async () => {
    let running = true
    const failedPushes: unknown[] = []
    let pushes = 0
    // Four users push at once, each batch touching users then records, as every push does.
    const pushLoop = async (user: string) => {
      for (let seq = 1; running; seq++) {
        const changes = [
          change({ seq, key: `k${seq % 7}`, clientId: user }),
          change({ seq: seq + 1e6, key: 'shared', clientId: user }),
        ]
        try {
          await applyPush(serving, user, parsePushBody(batch(changes, { clientId: user })), randomUUID(), defaultLimits)
          pushes++
        } catch (error) {
          failedPushes.push(error)
        }
      }
    }
    const loops = ['u0', 'u1', 'u2', 'u3'].map(pushLoop)
    const failedStarts: unknown[] = []
    for (let start = 0; start < 20; start++) {
      // Every other start meets a database of the layout before the version table, so it runs the upgrade.
      if (start % 2 === 1) await client.query(`DELETE FROM "${schema}".schema_meta`)
      try {
        const instance = await createPostgresStore({ connectionString: url!, schema })
        await instance.close()
      } catch (error) {
        failedStarts.push(error)
      }
    }
    running = false
    await Promise.all(loops)
    expect(failedStarts).toEqual([])
    expect(failedPushes).toEqual([])
    expect(pushes).toBeGreaterThan(20)
    const version = await client.query(`SELECT version FROM "${schema}".schema_meta`)
    expect(version.rows).toEqual([{ version: 1 }])
  })

  it('starts on a current schema without taking any lock on its tables', async () => {
    // A transaction holding an exclusive lock on records: a start that touched the table would wait for it.
    const holder = new pg.Client({ connectionString: url })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`LOCK TABLE "${schema}".users, "${schema}".records IN ACCESS EXCLUSIVE MODE`)
      const instance = await createPostgresStore({ connectionString: url!, schema })
      await instance.close()
    } finally {
      await holder.query('ROLLBACK')
      await holder.end()
    }
  })
})
