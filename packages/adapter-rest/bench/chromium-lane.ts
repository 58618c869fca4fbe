// Core in Chromium over real IndexedDB; the servers stay in this Node process, on the page's origin (no CORS preflight).
// Chromium is started as a plain process with no DevTools client: Playwright's network tracking would slow every fetch.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromiumArguments, chromiumPath, serveBundle } from '@autosync/test-browser'
import type { Lane } from './lane'
import { createPageRpc } from './page-rpc'
import type { PushBench } from './push-page'
import type { RequestHandler } from './servers'

// npm run bench runs a bundle from node_modules/.cache/autosync-bench/, three folders below the package.
const pagePath = fileURLToPath(new URL('../../../bench/push-page.ts', import.meta.url))
const callTimeoutMs = 120_000

/** Opens the page in Chromium, with an on-disk profile as a real browser's IndexedDB has. Close it in a finally. */
export async function openChromiumLane(): Promise<Lane & { close(): Promise<void> }> {
  const rpc = createPageRpc()
  const mounted = new Map<string, RequestHandler>([['rpc', rpc.handler]])
  const server = await serveBundle({
    entries: { 'push-page': pagePath },
    fallback(request, response) {
      const [, prefix = '', rest = '/'] = /^\/([^/?]+)(.*)$/.exec(request.url ?? '') ?? []
      const handler = mounted.get(prefix)
      if (!handler) return false
      // The handlers route from the root, as when they listen alone.
      request.url = rest
      handler(request, response)
      return true
    },
  })
  const profile = await mkdtemp(join(tmpdir(), 'autosync-push-bench-'))
  let browser: ChildProcess | undefined
  const closeAll = async () => {
    rpc.close()
    if (browser && browser.exitCode === null) {
      const exited = new Promise((resolve) => browser!.once('exit', resolve))
      browser.kill('SIGKILL')
      await exited
    }
    await server.close()
    await rm(profile, { recursive: true, force: true })
  }
  try {
    browser = spawn(chromiumPath, [...chromiumArguments, `--user-data-dir=${profile}`, server.url()], {
      stdio: 'ignore',
    })
    const exited = new Promise<never>((_, reject) =>
      browser!.once('exit', (code) => reject(new Error(`bench: Chromium exited (${code}) before the page was ready`))),
    )
    exited.catch(() => {})
    await withTimeout(Promise.race([rpc.ready, exited]), 'opening the page in Chromium')

    const call = <Method extends keyof PushBench>(method: Method, ...parameters: Parameters<PushBench[Method]>) =>
      withTimeout(
        rpc.call(method, parameters) as Promise<Awaited<ReturnType<PushBench[Method]>>>,
        `${method} in Chromium`,
      )

    return {
      async serve(prefix, handler) {
        mounted.set(prefix, handler)
        return { baseUrl: server.url(`/${prefix}/`), close: async () => void mounted.delete(prefix) }
      },
      ceiling: (pushUrl, changes) => call('ceiling', pushUrl, changes),
      throughCore: (run) => call('throughCore', run),
      adapterOnly: (run) => call('adapterOnly', run),
      close: closeAll,
    }
  } catch (error) {
    await closeAll()
    throw error
  }
}

/** A hung page must not hang the bench: reject after `callTimeoutMs` so the caller's finally closes everything. */
function withTimeout<Value>(promise: Promise<Value>, what: string): Promise<Value> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`bench: ${what} took over ${callTimeoutMs / 1000} s`)), callTimeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
