// @vitest-environment node
// The seed's three usage snippets as an app: written to files as the seed has them (only their import paths
// changed, plus the two lines the Basic Setup snippet leaves to the app), type-checked under `strict`, built
// with Vite, served beside the reference server and clicked in real Chromium. The app's one-time set-up is
// the compat README's `sync-setup.ts`, a sibling module with a top-level `await openStorage`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSqliteStore, createSyncServer, createTokenSigner, type SyncStore, silentLogger } from '@autosync/server'
import { type ChromiumSession, launchChromium } from '@autosync/test-browser'
import ts from 'typescript'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSeedSnippets, seedPath, withPackageImports } from '../support/seed-snippets'

const packageRoot = fileURLToPath(new URL('../..', import.meta.url))
const snippets = readSeedSnippets()

/** The two lines the Basic Setup snippet leaves to the app: who the user is, and the component's export. */
const basicSetupGaps = { userId: "const userId = 'user-id'", exported: 'export { MyComponent }' }

/** The app's files: the seed's snippets, the documented set-up, and an entry that mounts the component. */
function appFiles(): Record<string, string> {
  const basicSetup = withPackageImports(snippets.basicSetup)
  const firstLineEnd = basicSetup.indexOf('\n') + 1
  return {
    // Its own package: the app's modules are not @autosync/react's (whose `sideEffects: false` would drop them).
    'package.json': JSON.stringify({ name: 'seed-app', private: true, type: 'module' }),
    'index.html':
      '<!doctype html><html><head><meta charset="utf-8"><title>seed app</title></head>' +
      '<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>',
    // The compat README's set-up, as written there (apart from the seed's tables).
    'src/sync-setup.ts': [
      "import { configureAutoSync } from '@autosync/core/compat'",
      "import { openStorage } from '@autosync/core'",
      "import { restAdapter } from '@autosync/adapter-rest'",
      '',
      'export const storage = await openStorage({',
      "  name: 'app',",
      '  version: 1,',
      "  tables: { workspaces: { keyPath: 'id' }, checkpoints: { keyPath: 'id' } },",
      "  userIdField: 'userId',",
      '})',
      "await configureAutoSync({ storage, adapter: restAdapter({ baseUrl: '/api/' }) })",
      '',
    ].join('\n'),
    'src/manual-service-control.ts': withPackageImports(snippets.manualServiceControl),
    'src/storage-events.ts': withPackageImports(snippets.storageEvents),
    'src/my-component.tsx': `${basicSetup.slice(0, firstLineEnd)}\n${basicSetupGaps.userId}\n${basicSetup.slice(
      firstLineEnd,
    )}\n${basicSetupGaps.exported}\n`,
    // Siblings: the service is started (and listened to) in modules that do not wait for sync-setup.ts.
    'src/main.tsx': [
      "import './manual-service-control'",
      "import './storage-events'",
      "import { createRoot } from 'react-dom/client'",
      "import { MyComponent } from './my-component'",
      "import { storage } from './sync-setup'",
      '',
      "createRoot(document.getElementById('root')!).render(<MyComponent />)",
      '// For the test only: lets it write a record as the app would.',
      'Object.assign(window, { appStorage: storage })',
      '',
    ].join('\n'),
  }
}

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript' }

let directory: string
let store: SyncStore
let http: Server
let origin: string
let session: ChromiumSession
const signer = createTokenSigner('seed-app-browser-test-secret-of-32-bytes')

beforeAll(async () => {
  // Inside the package, so the app resolves react and the workspace packages as an installed app does.
  mkdirSync(join(packageRoot, '.tmp'), { recursive: true })
  directory = mkdtempSync(join(packageRoot, '.tmp', 'seed-app-'))
  for (const [name, text] of Object.entries(appFiles())) {
    mkdirSync(dirname(join(directory, name)), { recursive: true })
    writeFileSync(join(directory, name), text)
  }
  store = createSqliteStore({ filename: join(directory, 'sync.db') })
  const sync = createSyncServer({ store, verifier: signer.verify, logger: silentLogger })
  // The app's own backend signs its session in: here every request is user-id's.
  const token = signer.sign('user-id')
  http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    if (path.startsWith('/api/')) {
      request.url = request.url!.slice('/api'.length)
      request.headers.authorization = `Bearer ${token}`
      sync.handler(request, response)
      return
    }
    const file = join(directory, 'dist', path === '/' ? 'index.html' : path)
    try {
      const body = readFileSync(file)
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  session = await launchChromium()
}, 120_000)

afterAll(async () => {
  await session?.close()
  await new Promise((resolve) => http?.close(resolve))
  await store?.close()
  if (directory && !process.env.KEEP) rmSync(directory, { recursive: true, force: true })
})

describe("the seed's usage snippets as an app", () => {
  it('are the seed’s text with only their import paths changed', () => {
    const shared = new URL('../../../../../shared/seed/000_1a8d237caebcc90c.txt', import.meta.url)
    let original: string | undefined
    try {
      original = readFileSync(shared, 'utf8')
    } catch {
      // Outside the project's workspace only the repository's copy exists.
    }
    if (original !== undefined) expect(readFileSync(seedPath, 'utf8')).toBe(original)
    for (const snippet of Object.values(snippets)) {
      const rewritten = withPackageImports(snippet)
      expect(rewritten.split('\n').length).toBe(snippet.split('\n').length)
      const changed = rewritten.split('\n').filter((line, index) => line !== snippet.split('\n')[index])
      expect(changed.every((line) => /^import .* from '@autosync\/(react|core\/compat)'$/.test(line))).toBe(true)
    }
    expect(snippets.basicSetup).toContain('useCloudSync(userId)')
    expect(snippets.manualServiceControl).toContain("await initAutoSync('user-id')")
  })

  it('type-check under strict', () => {
    // As scripts/check-readme-snippets.mjs does: the app's own files, against the packages' sources.
    const files = Object.keys(appFiles())
      .filter((name) => name.startsWith('src/'))
      .map((name) => join(directory, name))
    const program = ts.createProgram(files, {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@autosync/source'],
      allowImportingTsExtensions: true,
      jsx: ts.JsxEmit.ReactJSX,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      skipLibCheck: true,
    })
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file && files.includes(diagnostic.file.fileName))
      .map(
        (diagnostic) => `${diagnostic.file!.fileName}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
      )
    expect(problems).toEqual([])
  }, 120_000)

  it('build with Vite, start with initAutoSync before the set-up module finished, render and click', async () => {
    await build({
      root: directory,
      logLevel: 'silent',
      configFile: false,
      resolve: { conditions: ['@autosync/source', 'module', 'browser', 'development|production'] },
      // One file per module, as the browser loads them from Vite's dev server: sibling modules run concurrently.
      build: {
        outDir: join(directory, 'dist'),
        target: 'es2022',
        rolldownOptions: { output: { preserveModules: true } },
      },
    })

    const context = await session.browser!.newContext()
    const page = await context.newPage()
    const printed: string[] = []
    const failures: string[] = []
    page.on('console', (message) => printed.push(message.text()))
    page.on('pageerror', (error) => failures.push(error.message))
    await page.goto(origin)
    // A blank page is what the seed's layout met when initAutoSync refused to wait for the set-up module.
    await page
      .getByText('Status: Enabled')
      .waitFor({ timeout: 15_000 })
      .catch(() => {
        throw new Error(`the component never rendered: ${failures.join('; ') || 'no page error'}`)
      })
    expect(await page.getByText('Failures: 0').count()).toBe(1)
    expect(await page.getByText('Buffered Events: 0').count()).toBe(1)

    await page.evaluate(() =>
      (window as unknown as { appStorage: { put(table: string, record: object): Promise<void> } }).appStorage.put(
        'workspaces',
        { id: 'w1', userId: 'user-id', name: 'Seed workspace' },
      ),
    )
    await page.getByText('Force Sync').click()
    await expect
      .poll(() => printed.filter((line) => line.startsWith('Force sync result:')))
      .toEqual(['Force sync result: true'])
    await page.getByText('Manual Backup').click()
    await expect
      .poll(() => printed.filter((line) => line.startsWith('Backup result:')))
      .toEqual(['Backup result: true'])

    expect(failures).toEqual([])
    expect(printed).toEqual(
      expect.arrayContaining([
        'Auto-sync service: Event listeners set up',
        'Auto-sync service: Syncing 1 changes to cloud...',
        'Auto-sync service: Sync completed successfully',
      ]),
    )
    expect(printed.some((line) => line.startsWith('Detailed status:'))).toBe(true)
    expect(printed.some((line) => line.startsWith('Sync status:'))).toBe(true)
    const records = await store.readChangesAfter('user-id', null, 10)
    expect(JSON.stringify(records)).toContain('Seed workspace')
    await context.close()
  }, 120_000)
})
