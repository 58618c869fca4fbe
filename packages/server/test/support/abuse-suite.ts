import { createHmac } from 'node:crypto'
import { request } from 'node:http'
import { beforeAll, describe, expect, it } from 'vitest'
import type { BackendLane } from './backends'
import { batch, change, pullAll, push, startTestServer, type TestServer, uniqueUser } from './harness'

/** One hostile request: method, raw path, headers, body. */
interface Hostile {
  label: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
}

/** Sends `hostile` byte for byte: the status (0 when the server cut the connection) and the body. */
function send(baseUrl: string, hostile: Hostile): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve) => {
    const { method, path, headers } = hostile
    const outgoing = request({ host: hostname, port, method, path, headers })
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }))
    })
    outgoing.on('error', () => resolve({ status: 0, text: '' }))
    outgoing.end(hostile.body)
  })
}

/** Refused: a cut connection, a 4xx, or a push answered 200 that accepted none of its changes (each rejected). */
function refused({ status, text }: { status: number; text: string }): boolean {
  if (status === 0 || (status >= 400 && status < 500)) return true
  return status === 200 && (JSON.parse(text) as { accepted?: unknown[] }).accepted?.length === 0
}

/** A deterministic stream of bytes (xorshift), so every run tries the same inputs. */
function randomBytes(seed: number, length: number): Buffer {
  let state = seed || 1
  const bytes = Buffer.alloc(length)
  for (let index = 0; index < length; index++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[index] = state & 0xff
  }
  return bytes
}

const base64url = (text: string) => Buffer.from(text).toString('base64url')

/** Tokens an attacker can make without the secret, or by bending a real one. */
function forgedTokens(real: string, victim: string): string[] {
  const [payload, signature] = real.split('.') as [string, string]
  const claims = (sub: string, exp = 9_999_999_999) => base64url(JSON.stringify({ sub, iat: 0, exp }))
  const signWith = (secret: string, body: string) =>
    `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`
  return [
    '',
    'null',
    'undefined',
    'Bearer',
    `${claims(victim)}.`,
    `${claims(victim)}.${signature}`,
    `${claims(victim)}.AAAA`,
    signWith('autosync-development-secret-not-for-production', claims(victim)),
    signWith('', claims(victim)),
    signWith('secret', claims(victim)),
    `${real}*`,
    `${real}!!`,
    `${real}=`,
    `${payload}=.${signature}`,
    `${payload}.${signature}.${signature}`,
    `${payload}.${signature.slice(0, -1)}${signature.at(-1) === 'A' ? 'B' : 'A'}`,
    `${base64url('{"alg":"none"}')}.${claims(victim)}.`,
    `${claims(victim, 1)}.${signature}`,
    'x'.repeat(5_000),
    `${payload}.${Buffer.from(signature, 'base64url').toString('base64')}`,
    ...Array.from({ length: 20 }, (_, index) => randomBytes(index + 1, 48).toString('base64url')),
  ]
}

/**
 * Hostile input against the real server: forged tokens, malformed and oversized bodies, deep and prototype-laden
 * values, path tricks, other users' data. Every answer must be a 4xx (or a cut connection), never a 5xx; the server
 * must stay up; and the victim's data must be exactly what it wrote. Prints how many inputs were tried.
 */
export function describeAbuse(lane: BackendLane): void {
  describe(`abuse on ${lane.name}`, () => {
    let server: TestServer
    beforeAll(async () => {
      server = await startTestServer(await lane.openStore(), {
        limits: { maxChangesPerBatch: 50, maxBodyBytes: 256 * 1024 },
      })
      return async () => {
        await server.close()
        await lane.dispose()
      }
    })

    it('refuses every hostile input (never a 5xx), stays up, and loses nothing', async () => {
      const victim = uniqueUser('victim')
      const attacker = uniqueUser('attacker')
      const victimToken = server.signer.sign(victim)
      const attackerToken = server.signer.sign(attacker)
      const seeded = Array.from({ length: 5 }, (_, index) =>
        change({ seq: index + 1, key: `v${index}`, value: { n: index } }),
      )
      expect((await push(server.url, victimToken, batch(seeded))).json.accepted).toHaveLength(5)
      const before = await pullAll(server.url, victimToken)

      const json = (value: unknown) => JSON.stringify(value)
      const as = (token: string | null, extra: Record<string, string> = {}) => ({
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...extra,
      })
      let batches = 0
      const nextBatchId = () => `hostile-${++batches}`
      /** The Idempotency-Key a client would send: the body's batchId when there is one. */
      const keyOf = (body: string | Buffer) => {
        try {
          return String((JSON.parse(String(body)) as { batchId?: unknown }).batchId ?? 'b')
        } catch {
          return 'b'
        }
      }
      const pushOf = (label: string, body: string | Buffer, token: string | null = attackerToken, extra = {}) => ({
        label,
        method: 'POST',
        path: '/push',
        headers: as(token, { 'idempotency-key': keyOf(body), ...extra }),
        body,
      })
      const deep = (levels: number) => `${'{"d":'.repeat(levels)}1${'}'.repeat(levels)}`
      const hostile: Hostile[] = [
        ...forgedTokens(victimToken, victim).flatMap((token, index) => [
          { label: `forged token ${index} on /pull`, method: 'GET', path: '/pull', headers: as(token) },
          pushOf(
            `forged token ${index} on /push`,
            json(batch([change({ seq: 1 })], { batchId: nextBatchId() })),
            token,
          ),
          {
            label: `forged token ${index} on /backup/latest`,
            method: 'GET',
            path: '/backup/latest',
            headers: as(token),
          },
        ]),
        ...Array.from({ length: 30 }, (_, index) =>
          pushOf(`random bytes ${index}`, randomBytes(100 + index, 64 + index * 37)),
        ),
        ...['{', '[', '{"batchId":', 'null', '"text"', '1e999', '{"batchId":"b","clientId":"c","changes":[{}]}'].map(
          (body, index) => pushOf(`malformed body ${index}`, body),
        ),
        pushOf('a body nested 100,000 levels deep', deep(100_000)),
        pushOf(
          'a change nested 6,000 levels deep',
          `{"batchId":"b","clientId":"c","changes":[{"changeId":"c:1","table":"notes","key":"k","op":"put","seq":1,"timestamp":1,"value":${deep(6_000)}}]}`,
        ),
        pushOf(
          'a body over the limit',
          json(batch([change({ seq: 1, value: { text: 'x'.repeat(300 * 1024) } })], { batchId: nextBatchId() })),
        ),
        pushOf(
          'too many changes',
          json(
            batch(
              Array.from({ length: 60 }, (_, index) => change({ seq: index + 1, key: `k${index}` })),
              { batchId: nextBatchId() },
            ),
          ),
        ),
        pushOf(
          'prototype keys everywhere',
          '{"batchId":"b","clientId":"c","__proto__":{"admin":true},"changes":[{"changeId":"c:1","table":"__proto__","key":"constructor","op":"put","seq":1,"timestamp":1,"value":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}]}',
        ),
        pushOf(
          'another user named in the body',
          json({ ...batch([change({ seq: 1 })], { batchId: nextBatchId() }), userId: victim }),
        ),
        pushOf(
          'a path-like table and key',
          json(batch([change({ seq: 1, table: '../../etc', key: '../passwd' })], { batchId: nextBatchId() })),
        ),
        pushOf('text/plain', json(batch([change({ seq: 1 })], { batchId: nextBatchId() })), attackerToken, {
          'content-type': 'text/plain',
        }),
        pushOf('latin1 charset', json(batch([change({ seq: 1 })], { batchId: nextBatchId() })), attackerToken, {
          'content-type': 'application/json; charset=latin1',
        }),
        pushOf('an Idempotency-Key that is not the batchId', json(batch([change({ seq: 1 })], { batchId: 'other' }))),
        { label: 'pull of another user', method: 'GET', path: `/pull?userId=${victim}`, headers: as(attackerToken) },
        {
          label: 'pull with a cursor past 2^63',
          method: 'GET',
          path: '/pull?cursor=99999999999999999999',
          headers: as(attackerToken),
        },
        { label: 'pull with limit 10^9', method: 'GET', path: '/pull?limit=1000000000', headers: as(attackerToken) },
        {
          label: 'pull with a repeated parameter',
          method: 'GET',
          path: '/pull?limit=1&limit=2',
          headers: as(attackerToken),
        },
        ...[
          '/backup/..',
          '/backup/%2e%2e',
          '/backup/a%2Fb',
          '/backup/%00',
          '/push/../pull',
          '//push',
          '/backup/latest/../x',
          '/%E0%A4%A',
        ].map((path) => ({ label: `path ${path}`, method: 'GET', path, headers: as(attackerToken) })),
        {
          label: 'a backup naming another user',
          method: 'POST',
          path: '/backup',
          headers: as(attackerToken),
          body: json({ backupId: 'x', clientId: 'c', userId: victim, createdAt: 1, tables: {} }),
        },
        {
          label: 'a backup named latest',
          method: 'POST',
          path: '/backup',
          headers: as(attackerToken),
          body: json({ backupId: 'latest', clientId: 'c', userId: null, createdAt: 1, tables: {} }),
        },
        { label: 'DELETE /pull', method: 'DELETE', path: '/pull', headers: as(attackerToken) },
        {
          label: 'a header of 20 kB',
          method: 'GET',
          path: '/pull',
          headers: as(attackerToken, { 'x-pad': 'p'.repeat(20_000) }),
        },
      ]

      const statuses: number[] = []
      for (const input of hostile) {
        const answer = await send(server.url, input)
        statuses.push(answer.status)
        expect(refused(answer), `${input.label} answered ${answer.status} ${answer.text.slice(0, 200)}`).toBe(true)
      }
      const health = await fetch(`${server.url}/health`)
      expect(health.status).toBe(200)
      expect(await pullAll(server.url, victimToken)).toEqual(before)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      const refusedWith = statuses.reduce<Record<number, number>>((counts, status) => {
        counts[status] = (counts[status] ?? 0) + 1
        return counts
      }, {})
      console.log(
        `[abuse] ${lane.name}: ${hostile.length} hostile inputs tried, 0 answered 5xx (${Object.entries(refusedWith)
          .map(([status, count]) => `${status}: ${count}`)
          .join(', ')}); the server stayed up and the victim's ${before.length} records are intact`,
      )
    })
  })
}
