import { AdapterError } from '@autosync/core'
import { createFakeClock } from '@autosync/core/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, batchOf, closedPortUrl, put } from './support'
import { answer, type ScriptedServer, startScriptedServer } from './support/scripted-server'

let server: ScriptedServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function pushAgainst(status: number, body: unknown, headers: Record<string, string> = {}) {
  server = await startScriptedServer((_, response) => answer(response, status, body, headers))
  const adapter = restAdapter({ baseUrl: server.url, getToken: () => 'token' })
  return adapter.push(batchOf([put('notes', 'n1')]), adapterContext()).catch((error: unknown) => error)
}

describe('batch mode status mapping', () => {
  it.each([
    [401, 'auth', false],
    [403, 'auth', false],
    [400, 'protocol', true],
    [404, 'protocol', true],
    [405, 'protocol', true],
    [409, 'conflict', false],
    [413, 'rejected', false],
    [415, 'protocol', true],
    [422, 'rejected', false],
    [408, 'timeout', true],
    [429, 'rate-limited', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'server', true],
  ] as const)('%i → %s (retryable %s)', async (status, kind, retryable) => {
    const error = await pushAgainst(status, { error: { code: 'some-code', message: 'no' } })
    expect(AdapterError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ kind, retryable, status })
    // A whole request refused for what no change caused fails the attempt: core keeps every change pending.
    const hint = [400, 404, 405, 415].includes(status) ? ': is baseUrl right\\?' : ''
    expect((error as Error).message).toMatch(
      new RegExp(
        `^\\[autosync\\] \\[rest\\] POST http://127\\.0\\.0\\.1:\\d+/push answered ${status} some-code${hint}$`,
      ),
    )
  })

  it('422 idempotency-key-reused is a retryable protocol failure: a batch the server never refused is no dead letter', async () => {
    const error = await pushAgainst(422, {
      error: { code: 'idempotency-key-reused', message: 'this batchId was already used with a different body' },
    })
    expect(error).toMatchObject({ kind: 'protocol', retryable: true, status: 422 })
    expect((error as Error).message).toMatch(/answered 422 idempotency-key-reused$/)
  })

  it('reads Retry-After as seconds on 429', async () => {
    const error = await pushAgainst(
      429,
      { error: { code: 'rate-limited', message: 'slow down' } },
      { 'retry-after': '7' },
    )
    expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, retryAfterMs: 7000 })
  })

  it('reads Retry-After as an HTTP date on 503', async () => {
    const inOneHour = new Date(Date.now() + 3_600_000).toUTCString()
    const error = (await pushAgainst(
      503,
      { error: { code: 'unavailable', message: 'later' } },
      { 'retry-after': inOneHour },
    )) as AdapterError
    expect(error.kind).toBe('server')
    // HTTP dates have whole seconds, so the wait is within the hour's last second.
    expect(error.retryAfterMs).toBeGreaterThan(3_598_000)
    expect(error.retryAfterMs).toBeLessThanOrEqual(3_600_000)
  })

  it('keeps a 503 with a malformed Retry-After retryable, without timing', async () => {
    const error = await pushAgainst(503, '', { 'retry-after': 'soon-ish' })
    expect(error).toMatchObject({ kind: 'server', retryable: true, retryAfterMs: undefined })
  })

  it('never acks a 2xx whose body is not JSON', async () => {
    const error = await pushAgainst(200, '<html>welcome to the captive portal</html>')
    expect(error).toMatchObject({ kind: 'protocol', retryable: true })
  })

  it.each([
    ['no accepted list', { ok: true }],
    ['accepted not strings', { accepted: [1, 2], rejected: [] }],
    ['rejected without reason', { accepted: [], rejected: [{ changeId: 'x' }] }],
    ['an array', []],
    ['null', null],
  ])('never acks a 2xx with the wrong shape: %s', async (_, body) => {
    const error = await pushAgainst(200, body)
    expect(error).toMatchObject({ kind: 'protocol', retryable: true })
  })

  it('counts only ids that were sent, once, and never one both accepted and rejected', async () => {
    const changes = [put('notes', 'a'), put('notes', 'b'), put('notes', 'c')]
    const [a, b, c] = changes.map((change) => change.changeId)
    server = await startScriptedServer((_, response) =>
      answer(response, 200, {
        accepted: [a, 'stranger:1', a, b],
        rejected: [
          { changeId: b, reason: 'also here', code: 'invalid-value' },
          { changeId: c, reason: 'too big', code: 'record-too-large' },
          { changeId: 'stranger:2', reason: 'x', code: 'invalid-key' },
        ],
      }),
    )
    const result = await restAdapter({ baseUrl: server.url }).push(batchOf(changes), adapterContext())
    expect(result.accepted).toEqual([a, b])
    expect(result.rejected).toEqual([{ changeId: c, reason: 'too big', code: 'record-too-large' }])
  })

  it('times out through the injected clock with a retryable timeout error', async () => {
    let arrived!: () => void
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve
    })
    server = await startScriptedServer(() => arrived()) // never answers
    const clock = createFakeClock()
    const pushing = restAdapter({ baseUrl: server.url, clock, timeoutMs: 1234 })
      .push(batchOf([put('notes', 'n1')]), adapterContext())
      .catch((error: unknown) => error)
    await requestArrived
    await clock.runNext()
    const error = await pushing
    expect(error).toMatchObject({ kind: 'timeout', retryable: true })
    expect((error as Error).message).toContain('timed out after 1234 ms')
    expect(clock.pending()).toBe(0)
  })

  it('classifies a refused connection as a retryable network error', async () => {
    const baseUrl = await closedPortUrl()
    const error = await restAdapter({ baseUrl })
      .push(batchOf([put('notes', 'n1')]), adapterContext())
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ kind: 'network', retryable: true })
  })

  it('rethrows an abort of context.signal as the abort, not as a failure', async () => {
    let arrived!: () => void
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve
    })
    server = await startScriptedServer(() => arrived())
    const controller = new AbortController()
    const pushing = restAdapter({ baseUrl: server.url })
      .push(batchOf([put('notes', 'n1')]), adapterContext({ signal: controller.signal }))
      .catch((error: unknown) => error)
    await requestArrived
    controller.abort()
    const error = await pushing
    expect(AdapterError.isInstance(error)).toBe(false)
    expect(error).toMatchObject({ name: 'AbortError' })
  })
})
