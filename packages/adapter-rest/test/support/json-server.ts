import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsonServer from 'json-server'

export interface RunningJsonServer {
  url: string
  /** Reads a record straight from json-server, the way any other client of that API would. */
  get(path: string): Promise<{ status: number; body: unknown }>
  close(): Promise<void>
}

/** The stock json-server 0.17 (nobody here wrote it) on 127.0.0.1, over a temporary db.json. */
export async function startJsonServer(database: Record<string, unknown[]>): Promise<RunningJsonServer> {
  const folder = mkdtempSync(join(tmpdir(), 'autosync-json-server-'))
  const file = join(folder, 'db.json')
  writeFileSync(file, JSON.stringify(database))
  const app = jsonServer.create()
  app.use(jsonServer.defaults({ logger: false }))
  app.use(jsonServer.router(file))
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  return {
    url,
    async get(path) {
      const response = await fetch(new URL(path, url))
      return { status: response.status, body: await response.json() }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          rmSync(folder, { recursive: true, force: true })
          resolve()
        })
      }),
  }
}
