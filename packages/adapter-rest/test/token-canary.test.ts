import { inspect } from 'node:util'
import { createFakeClock } from '@autosync/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { restAdapter } from '../src'
import {
  adapterContext,
  answer,
  batchOf,
  closedPortUrl,
  put,
  recordingLogger,
  type ScriptedServer,
  startScriptedServer,
} from './support'

const canary = 'CANARY-token-4f1c9e'
const cookie = 'session=CANARY-cookie-77aa'

let server: ScriptedServer
beforeAll(async () => {
  // The worst server: it echoes the Authorization header and cookie into every body, code, reason and header.
  server = await startScriptedServer((request, response) => {
    const echo = `${request.headers.authorization} ${request.headers.cookie}`
    const scenario = /scenario-([\w-]+)/.exec(request.url + request.body)?.[1] ?? ''
    const status = Number(/^\d+$/.test(scenario) ? scenario : 200)
    if (scenario === 'hang') return
    if (scenario === 'bad-json') return answer(response, 200, `not json ${echo}`)
    if (scenario === 'bad-shape') return answer(response, 200, { accepted: echo })
    if (scenario === 'reasons') {
      const { changes } = JSON.parse(request.body) as { changes: { changeId: string }[] }
      return answer(response, 200, {
        accepted: [],
        rejected: changes.map(({ changeId }) => ({ changeId, reason: `bad ${echo}`, code: canary })),
      })
    }
    const code = request.headers.authorization?.replace('Bearer ', '')
    answer(response, status, { error: { code, message: echo } }, { 'retry-after': echo, 'x-echo': echo })
  })
})
afterAll(() => server.close())

const everything = (error: unknown, logs: unknown[]) =>
  [
    String(error),
    (error as Error)?.message,
    String((error as Error)?.cause),
    inspect(error, { depth: 8 }),
    inspect(logs, { depth: 8 }),
  ].join('\n')

describe('no token, Authorization header or cookie leaves the adapter', () => {
  const statuses = [
    '401',
    '403',
    '404',
    '408',
    '409',
    '413',
    '422',
    '429',
    '500',
    '502',
    '503',
    'bad-json',
    'bad-shape',
  ]

  it.each(statuses)('batch mode, scenario %s', async (scenario) => {
    const logger = recordingLogger()
    const adapter = restAdapter({ baseUrl: server.url, getToken: () => canary, headers: { cookie } })
    const outcome = await adapter
      .push(batchOf([put('notes', `scenario-${scenario}`)]), adapterContext({ logger }))
      .catch((error: unknown) => error)
    expect(outcome).toBeInstanceOf(Error)
    expect(everything(outcome, logger.calls)).not.toMatch(/CANARY/)
  })

  it.each(statuses.slice(0, 11))('resource mode, scenario %s after a success', async (scenario) => {
    const logger = recordingLogger()
    const adapter = restAdapter({
      baseUrl: server.url,
      mode: 'resource',
      concurrency: 1,
      getToken: () => canary,
      headers: { cookie },
    })
    const outcome = await adapter
      .push(batchOf([put('notes', 'fine'), put('notes', `scenario-${scenario}`)]), adapterContext({ logger }))
      .catch((error: unknown) => error)
    expect(everything(outcome, logger.calls)).not.toMatch(/CANARY/)
  })

  it('rejected reasons of a 2xx push', async () => {
    const adapter = restAdapter({ baseUrl: server.url, getToken: () => canary })
    const result = await adapter.push(batchOf([put('notes', 'scenario-reasons')]), adapterContext())
    expect(result.rejected).toHaveLength(1)
    expect(inspect(result, { depth: 8 })).not.toMatch(/CANARY/)
  })

  it('timeouts and network failures', async () => {
    const clock = createFakeClock()
    const hanging = restAdapter({ baseUrl: server.url, getToken: () => canary, clock }).pull!(
      { cursor: 'scenario-hang', limit: 1, userId: 'u1' },
      adapterContext(),
    ).catch((error: unknown) => error)
    while (server.requests.at(-1)?.url.includes('scenario-hang') !== true)
      await new Promise((resolve) => setImmediate(resolve))
    await clock.runNext()
    const timeout = await hanging
    expect(timeout).toMatchObject({ kind: 'timeout' })
    const network = await restAdapter({ baseUrl: await closedPortUrl(), getToken: () => canary, headers: { cookie } })
      .push(batchOf([put('notes', 'x')]), adapterContext())
      .catch((error: unknown) => error)
    expect(network).toMatchObject({ kind: 'network' })
    expect(everything(timeout, []) + everything(network, [])).not.toMatch(/CANARY/)
  })

  it('a token or header value that fetch would refuse', async () => {
    const logger = recordingLogger()
    const error = await restAdapter({ baseUrl: server.url, getToken: () => `${canary}\nX-Injected: 1` })
      .push(batchOf([put('notes', 'x')]), adapterContext({ logger }))
      .catch((failure: unknown) => failure)
    expect(error).toMatchObject({ kind: 'auth', retryable: false })
    expect(everything(error, logger.calls)).not.toMatch(/CANARY/)
    let thrown: unknown
    try {
      restAdapter({ baseUrl: server.url, headers: { cookie: `${cookie}\r\nX-Injected: 1` } })
    } catch (failure) {
      thrown = failure
    }
    expect(thrown).toBeInstanceOf(TypeError)
    expect(everything(thrown, [])).not.toMatch(/CANARY/)
  })
})
