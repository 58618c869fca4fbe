import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTokenSigner } from '../../src/auth/token-signer'
import type { BackendLane } from './backends'
import {
  batch,
  change,
  getJson,
  type JsonAnswer,
  pullAll,
  push,
  startTestServer,
  type TestServer,
  uniqueUser,
  useLaneServer,
} from './harness'

/** The behavioural suite every storage backend must pass, over real HTTP. */
export function describeSyncServerBehaviour(lane: BackendLane): void {
  describe(`sync server on ${lane.name}`, () => {
    const laneServer = useLaneServer(lane)
    let server: TestServer
    beforeAll(() => {
      server = laneServer.current()
    })
    const tokenFor = (userId: string) => server.signer.sign(userId)

    it('acknowledges a pushed batch and pulls what it stored', async () => {
      const token = tokenFor(uniqueUser('push'))
      const answer = await push(server.url, token, batch([change({ seq: 1, key: 'a' }), change({ seq: 2, key: 7 })]))
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({ accepted: ['client-a:1', 'client-a:2'], rejected: [] })
      const changes = await pullAll(server.url, token)
      expect(changes.map((entry) => [entry.key, entry.op, entry.value])).toEqual([
        ['a', 'put', { title: 'seq 1' }],
        [7, 'put', { title: 'seq 2' }],
      ])
      expect(changes[0].changeId).toBe('client-a:1')
    })

    it("accepts two-way changes (baseRevision) and pulls the writer's timestamp", async () => {
      const token = tokenFor(uniqueUser('two-way'))
      const answer = await push(
        server.url,
        token,
        batch([{ ...change({ seq: 1, key: 'b' }), baseRevision: null, timestamp: 1_700_000_000_123 }]),
      )
      expect(answer.status).toBe(200)
      const [pulled] = await pullAll(server.url, token)
      expect(pulled).toMatchObject({ key: 'b', changeId: 'client-a:1', timestamp: 1_700_000_000_123 })
    })

    it('refuses stale two-way changes as conflicts and names the revision of each accepted write', async () => {
      const token = tokenFor(uniqueUser('conditional'))
      const first = await push(server.url, token, batch([{ ...change({ seq: 1, key: 'c' }), baseRevision: null }]))
      const revision = first.json.revisions['client-a:1']
      expect(revision).toMatch(/^\d+$/)
      const answer = await push(
        server.url,
        token,
        batch([
          { ...change({ seq: 2, key: 'c' }), baseRevision: '0' },
          {
            ...change({ seq: 3, key: 'missing' }),
            value: { title: 'x' },
            changedFields: ['title'],
            baseRevision: null,
          },
          { ...change({ seq: 4, key: 'c' }), baseRevision: revision },
        ]),
      )
      expect(answer.json.accepted).toEqual(['client-a:4'])
      expect(
        answer.json.rejected.map((rejected: { changeId: string; code: string }) => [rejected.changeId, rejected.code]),
      ).toEqual([
        ['client-a:2', 'conflict'],
        ['client-a:3', 'conflict'],
      ])
      expect(Object.keys(answer.json.revisions)).toEqual(['client-a:4'])
    })

    it('applies a string base on a record it never stored, and refuses one on a deleted record (openapi.yaml)', async () => {
      const token = tokenFor(uniqueUser('garbage-base'))
      const fresh = await push(server.url, token, batch([{ ...change({ seq: 1, key: 'never' }), baseRevision: 'zz' }]))
      expect(fresh.json.accepted).toEqual(['client-a:1'])
      await push(server.url, token, batch([{ ...change({ seq: 2, key: 'gone', op: 'delete' }) }]))
      const deleted = await push(server.url, token, batch([{ ...change({ seq: 3, key: 'gone' }), baseRevision: 'zz' }]))
      expect(deleted.json.rejected).toMatchObject([{ changeId: 'client-a:3', code: 'conflict', reason: 'conflict' }])
    })

    it('answers a replayed batch with the first answer and applies nothing again', async () => {
      const token = tokenFor(uniqueUser('replay'))
      const body = batch([change({ seq: 1 }), change({ seq: 2, key: '../x' })])
      const first = await push(server.url, token, body)
      const before = await pullAll(server.url, token)
      const replay = await push(server.url, token, body)
      expect(replay.status).toBe(200)
      expect(replay.text).toBe(first.text)
      expect(await pullAll(server.url, token)).toEqual(before)
    })

    it('refuses the same batchId with a different body (422) and stores nothing from it', async () => {
      const token = tokenFor(uniqueUser('reuse'))
      const body = batch([change({ seq: 1 })])
      await push(server.url, token, body)
      const altered = { ...body, changes: [change({ seq: 2, key: 'other' })] }
      const answer = await push(server.url, token, altered)
      expect(answer.status).toBe(422)
      expect(answer.json.error.code).toBe('idempotency-key-reused')
      expect((await pullAll(server.url, token)).map((entry) => entry.key)).toEqual(['k1'])
    })

    it('applies a changeId at most once, even in another batch', async () => {
      const token = tokenFor(uniqueUser('once'))
      await push(server.url, token, batch([change({ seq: 1, value: { n: 1 } })]))
      const again = await push(server.url, token, batch([change({ seq: 1, value: { n: 2 } })]))
      expect(again.json).toEqual({ accepted: ['client-a:1'], rejected: [] })
      const changes = await pullAll(server.url, token)
      expect(changes.map((entry) => entry.value)).toEqual([{ n: 1 }])
    })

    it('accepts but does not apply a change older than the last one from the same client', async () => {
      const token = tokenFor(uniqueUser('stale'))
      await push(server.url, token, batch([change({ seq: 5, value: { v: 'five' } })]))
      const stale = await push(server.url, token, batch([change({ seq: 3, value: { v: 'three' } })]))
      expect(stale.json.accepted).toEqual(['client-a:3'])
      expect((await pullAll(server.url, token))[0].value).toEqual({ v: 'five' })
      // Another client's lower seq is not stale: seqs are per client.
      const other = batch([change({ seq: 1, clientId: 'client-b', value: { v: 'b1' } })], { clientId: 'client-b' })
      await push(server.url, token, other)
      expect((await pullAll(server.url, token))[0].value).toEqual({ v: 'b1' })
    })

    it('merges partial updates shallowly into the stored record', async () => {
      const token = tokenFor(uniqueUser('partial'))
      await push(server.url, token, batch([change({ seq: 1, value: { title: 't', body: 'b', done: false } })]))
      await push(server.url, token, batch([change({ seq: 2, value: { done: true }, changedFields: ['done', 'body'] })]))
      expect((await pullAll(server.url, token))[0].value).toEqual({ title: 't', done: true })
    })

    it('keeps every update when two clients of one user push concurrently', async () => {
      const token = tokenFor(uniqueUser('concurrent'))
      const keys = Array.from({ length: 20 }, (_, index) => `note-${index}`)
      // The records exist first: partial updates merge into live records (into a missing one they are a conflict).
      const seed = keys.map((key) =>
        change({ clientId: 'client-seed', key, seq: 1, changeId: `seed:${key}`, value: {} }),
      )
      expect((await push(server.url, token, batch(seed, { clientId: 'client-seed' }))).json.rejected).toEqual([])
      const pushes = ['client-a', 'client-b'].flatMap((clientId) =>
        Array.from({ length: 8 }, (_, round) => {
          const field = clientId === 'client-a' ? 'a' : 'b'
          const changes = keys.map((key) =>
            change({
              clientId,
              key,
              seq: round + 1,
              changeId: `${clientId}:${key}:${round}`,
              value: { [field]: round },
              changedFields: [field],
            }),
          )
          return push(server.url, token, batch(changes, { clientId }))
        }),
      )
      const answers = await Promise.all(pushes)
      expect(answers.every((answer) => answer.status === 200 && answer.json.rejected.length === 0)).toBe(true)
      const changes = await pullAll(server.url, token, 7)
      expect(changes.map((entry) => entry.value)).toEqual(keys.map(() => ({ a: 7, b: 7 })))
      const revisions = changes.map((entry) => BigInt(entry.revision))
      expect([...revisions].sort((x, y) => (x < y ? -1 : 1))).toEqual(revisions)
      expect(new Set(revisions).size).toBe(keys.length)
    })

    it("refuses a user's token on another user's data (403) and never shows it", async () => {
      const owner = uniqueUser('owner')
      const intruder = tokenFor(uniqueUser('intruder'))
      await push(server.url, tokenFor(owner), batch([change({ seq: 1 })]))
      const answer = await push(server.url, intruder, batch([change({ seq: 2 })], { userId: owner }))
      expect(answer.status).toBe(403)
      expect(answer.json.error.code).toBe('forbidden')
      expect((await getJson(`${server.url}/pull?userId=${owner}`, intruder)).status).toBe(403)
      const backup = await fetch(`${server.url}/backup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${intruder}`, 'content-type': 'application/json' },
        body: JSON.stringify({ backupId: 'b1', clientId: 'c', userId: owner, createdAt: 1, tables: {} }),
      })
      expect(backup.status).toBe(403)
      expect(await pullAll(server.url, intruder)).toEqual([])
      expect((await pullAll(server.url, tokenFor(owner))).map((entry) => entry.value)).toEqual([{ title: 'seq 1' }])
    })

    it('answers 401 to a missing, malformed, forged or expired token', async () => {
      const userId = uniqueUser('auth')
      const body = batch([change({ seq: 1 })])
      const forged = createTokenSigner('another-secret-0123456789abcdef-0123456789').sign(userId)
      const expired = createTokenSigner('test-secret-0123456789abcdef-0123456789', {
        now: () => Date.now() - 7200_000,
      }).sign(userId)
      const valid = tokenFor(userId)
      const tampered = `${valid.slice(0, -2)}${valid.endsWith('AA') ? 'BB' : 'AA'}`
      for (const token of [null, 'not-a-token', forged, expired, tampered]) {
        const answer = await push(server.url, token, body)
        expect(answer.status).toBe(401)
        expect(answer.json.error.code).toBe('unauthorized')
      }
      const basic = await push(server.url, null, body, { authorization: `Basic ${valid}` })
      expect(basic.status).toBe(401)
      expect(await pullAll(server.url, valid)).toEqual([])
      expect(JSON.stringify(server.logs)).not.toContain(valid.split('.')[1]!)
    })

    it('pulls in revision order with cursor paging and tombstones', async () => {
      const token = tokenFor(uniqueUser('paging'))
      const changes = Array.from({ length: 25 }, (_, index) => change({ seq: index + 1, key: `r${index}` }))
      await push(server.url, token, batch(changes))
      await push(server.url, token, batch([change({ seq: 26, key: 'r3', op: 'delete' })]))
      const pages: JsonAnswer[] = []
      let cursor = ''
      for (;;) {
        const page = await getJson(`${server.url}/pull?cursor=${cursor}&limit=10`, token)
        pages.push(page.json)
        if (!page.json.hasMore) break
        cursor = page.json.cursor
      }
      expect(pages.map((page) => page.changes.length)).toEqual([10, 10, 5])
      const all = pages.flatMap((page) => page.changes)
      expect(all.map((entry) => entry.key)).toEqual([
        ...changes.map((entry) => entry.key).filter((key) => key !== 'r3'),
        'r3',
      ])
      expect(all.at(-1)).toMatchObject({ key: 'r3', op: 'delete' })
      expect(all.at(-1).value).toBeUndefined()
      const revisions = all.map((entry) => BigInt(entry.revision))
      expect(revisions.every((revision, index) => index === 0 || revision > revisions[index - 1]!)).toBe(true)
      const after = await getJson(`${server.url}/pull?cursor=${pages.at(-1).cursor}`, token)
      expect(after.json).toEqual({ changes: [], cursor: pages.at(-1).cursor, hasMore: false })
      for (const query of [
        'cursor=abc',
        'cursor=9223372036854775808',
        'cursor=-1',
        'limit=0',
        'limit=1001',
        'limit=1.5',
        'cursor=1&cursor=2',
      ]) {
        expect((await getJson(`${server.url}/pull?${query}`, token)).json.error.code).toBe('invalid-query')
      }
      expect((await getJson(`${server.url}/pull?since=1`, token)).json.error.code).toBe('unknown-field')
    })

    it('stores backups idempotently and restores the latest or one by id', async () => {
      const userId = uniqueUser('backup')
      const token = tokenFor(userId)
      expect((await getJson(`${server.url}/backup/latest`, token)).status).toBe(404)
      const send = (body: unknown) =>
        fetch(`${server.url}/backup`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      const first = { backupId: 'b:1', clientId: 'c', userId, createdAt: 1, tables: { notes: [{ id: 1 }, { id: 2 }] } }
      const second = {
        backupId: 'b:2',
        clientId: 'c',
        userId: null,
        createdAt: 2,
        tables: { notes: [{ id: 3 }], tags: [] },
      }
      const stored = await send(first)
      expect(stored.status).toBe(201)
      expect(await stored.json()).toEqual({ backupId: 'b:1', records: 2, location: '/backup/b%3A1' })
      expect((await send(first)).status).toBe(201)
      expect((await send(second)).status).toBe(201)
      const reused = await send({ ...first, createdAt: 99 })
      expect(reused.status).toBe(422)
      const latest = await getJson(`${server.url}/backup/latest`, token)
      expect(latest.json.snapshot).toEqual({ ...second, userId })
      expect((await getJson(`${server.url}/backup/b%3A1`, token)).json.snapshot).toEqual(first)
      expect((await getJson(`${server.url}/backup/unknown`, token)).status).toBe(404)
      expect((await getJson(`${server.url}/backup/latest`, tokenFor(uniqueUser('other')))).status).toBe(404)
    })

    it('reports health without authentication', async () => {
      const health = await getJson(`${server.url}/health`, null)
      expect(health).toMatchObject({ status: 200, json: { ok: true, database: lane.name } })
    })

    it('logs one structured line per request without the token', async () => {
      const token = tokenFor(uniqueUser('logs'))
      await getJson(`${server.url}/pull?cursor=`, token)
      // A later answer proves the server has finished (and logged) the earlier request.
      await getJson(`${server.url}/health`, null)
      const entry = [...server.logs].reverse().find((logged) => logged.event === 'request' && logged.path === '/pull')
      expect(entry).toMatchObject({ method: 'GET', status: 200 })
      expect(typeof entry?.durationMs).toBe('number')
      expect(JSON.stringify(server.logs)).not.toContain(token)
    })

    it.skipIf(!lane.sharesDatabase)('gives the same answers from two server instances on one database', async () => {
      const second = await startTestServer(await lane.openStore())
      try {
        const token = tokenFor(uniqueUser('instances'))
        const body = batch([change({ seq: 1 }), change({ seq: 2, key: 'k2' })])
        const first = await push(server.url, token, body)
        const replay = await push(second.url, token, body)
        expect(replay.text).toBe(first.text)
        // Concurrent batches split across both instances: every record once, revisions strictly increasing.
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, index) =>
            push(
              index % 2 ? server.url : second.url,
              token,
              batch([change({ seq: 10 + index, key: `x${index}`, changeId: randomUUID() })]),
            ),
          ),
        )
        expect(answers.every((answer) => answer.status === 200)).toBe(true)
        const fromFirst = await pullAll(server.url, token)
        const fromSecond = await pullAll(second.url, token)
        expect(fromSecond).toEqual(fromFirst)
        expect(fromFirst).toHaveLength(12)
      } finally {
        await second.close()
      }
    })
  })
}
