import { afterEach, expect, it } from 'vitest'
import { restAdapter } from '../src'
import { adapterContext, answer, batchOf, put, type ScriptedServer, startScriptedServer } from './support'

const globals = globalThis as { location?: { href: string } }
let server: ScriptedServer | undefined
afterEach(async () => {
  delete globals.location
  await server?.close()
})

it('resolves a relative baseUrl against the page, as fetch would (#15)', async () => {
  server = await startScriptedServer((request, response) =>
    answer(response, 200, {
      accepted: (JSON.parse(request.body) as { changes: { changeId: string }[] }).changes.map((c) => c.changeId),
    }),
  )
  globals.location = { href: `${server.url}app/notes?tab=1` }
  const adapter = restAdapter({ baseUrl: '/sync' })
  const change = put('notes', 'n1')
  expect((await adapter.push(batchOf([change]), adapterContext())).accepted).toEqual([change.changeId])
  expect(server.requests.map((request) => request.url)).toEqual(['/sync/push'])
})

it('says why a relative baseUrl cannot work where there is no page', () => {
  expect(() => restAdapter({ baseUrl: '/sync' })).toThrow(
    '[autosync] [rest] baseUrl /sync is not a URL (a relative one needs a page)',
  )
})
