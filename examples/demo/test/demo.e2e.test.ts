import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ChromiumSession, launchChromium } from '@autosync/test-browser'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildDemoFromSource } from './build-for-test'
import { type DemoProcess, startDemoProcess } from './demo-process'

interface NoteRecord {
  id: string
  text: string
}

let workDir: string
let built: { serverFile: string; publicDir: string }
let browser: ChromiumSession
let server: DemoProcess | undefined

beforeAll(async () => {
  // Inside the package, so the bundled server resolves better-sqlite3 from the workspace's node_modules.
  const scratch = join(dirname(fileURLToPath(import.meta.url)), '..', '.tmp')
  await mkdir(scratch, { recursive: true })
  workDir = await mkdtemp(join(scratch, 'e2e-'))
  built = await buildDemoFromSource(workDir)
  browser = await launchChromium()
})

afterAll(async () => {
  await server?.kill()
  await browser?.close()
  await rm(workDir, { recursive: true, force: true })
})

/** Polls until `check` holds; the deadline only bounds a broken run, it measures nothing. */
async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function serverNotes(origin: string, user: string): Promise<Map<string, string>> {
  const { token } = (await (await fetch(`${origin}/demo/token?user=${user}`)).json()) as { token: string }
  const notes = new Map<string, string>()
  let cursor = ''
  for (;;) {
    const response = await fetch(`${origin}/api/pull?limit=1000&cursor=${encodeURIComponent(cursor)}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const page = (await response.json()) as {
      changes: { key: string; op: string; value?: NoteRecord }[]
      cursor: string | null
      hasMore: boolean
    }
    for (const change of page.changes) {
      if (change.op === 'delete') notes.delete(change.key)
      else notes.set(change.key, (change.value as NoteRecord).text)
    }
    if (!page.hasMore || !page.cursor) return notes
    cursor = page.cursor
  }
}

async function serverCount(user: string): Promise<number> {
  if (!server) return -1
  return serverNotes(server.origin, user).then(
    (notes) => notes.size,
    () => -1,
  )
}

async function localNotes(page: Page): Promise<Map<string, string>> {
  const notes = await page.evaluate(async () => {
    const { storage } = (window as unknown as { demo: { storage: { getAll(table: string): Promise<NoteRecord[]> } } })
      .demo
    return (await storage.getAll('notes')).map((note) => [note.id, note.text] as [string, string])
  })
  return new Map(notes)
}

async function openDemo(page: Page, url: string) {
  await page.goto(url)
  await page.waitForFunction(() => 'demo' in window, null, { polling: 20, timeout: 30_000 })
}

it('delivers exactly the final state through a server crash and a page reload mid-sync', async () => {
  const database = `sqlite:${join(workDir, 'demo.db')}`
  server = await startDemoProcess({ ...built, database, port: 0, cwd: workDir })
  const port = server.port
  const user = 'e2e'
  const page = await browser.context.newPage()
  const url = `${server.origin}/?user=${user}&fast&batchSize=50`
  await openDemo(page, url)

  await page.evaluate(() =>
    (window as unknown as { demo: { addNotes(texts: string[]): Promise<void> } }).demo.addNotes(
      Array.from({ length: 1_000 }, (_, index) => `note ${index}`),
    ),
  )

  // Kill the server (SIGKILL, like a crash) once part of the backlog has arrived.
  await waitUntil(async () => (await serverCount(user)) > 0, 'the first batch on the server')
  await server.kill('SIGKILL')
  const countAtCrash = (await localNotes(page)).size
  expect(countAtCrash).toBe(1_000)

  // Writes keep landing locally while the server is down: edit some notes, delete others.
  await page.evaluate(async () => {
    const { storage } = (
      window as unknown as {
        demo: {
          storage: {
            getAll(table: string): Promise<{ id: string }[]>
            update(table: string, key: string, changes: object): Promise<unknown>
            delete(table: string, key: string): Promise<void>
          }
        }
      }
    ).demo
    const notes = (await storage.getAll('notes')).sort((a, b) => a.id.localeCompare(b.id))
    for (const note of notes.slice(0, 20)) await storage.update('notes', note.id, { text: `edited ${note.id}` })
    for (const note of notes.slice(20, 30)) await storage.delete('notes', note.id)
  })

  server = await startDemoProcess({ ...built, database, port, cwd: workDir })

  // Reload the page while the backlog drains.
  await waitUntil(async () => {
    const count = await serverCount(user)
    return count > 0 && count < 990
  }, 'the drain to start after the restart').catch(() => {
    // The drain may outrun the poll on a fast machine; the reload below still interrupts the engine.
  })
  await page.reload()
  await page.waitForFunction(() => 'demo' in window, null, { polling: 20, timeout: 30_000 })

  const expected = await localNotes(page)
  expect(expected.size).toBe(990)
  await waitUntil(async () => {
    const remote = await serverNotes(server!.origin, user).catch(() => new Map())
    return remote.size === expected.size && [...expected].every(([id, text]) => remote.get(id) === text)
  }, 'the server to hold exactly the final local state')

  const remote = await serverNotes(server.origin, user)
  expect([...remote.keys()].sort()).toEqual([...expected.keys()].sort())
  for (const [id, text] of expected) expect(remote.get(id)).toBe(text)
  const pending = () =>
    page.evaluate(
      () =>
        (
          window as unknown as { demo: { autoSync: { getStatus(): { pendingChanges: number } } } }
        ).demo.autoSync.getStatus().pendingChanges,
    )
  // The server can hold the final state before the last acknowledgements are back.
  const drainStarted = Date.now()
  await waitUntil(async () => (await pending()) === 0, 'the outbox to drain')
  console.log(`[demo e2e] outbox empty ${Date.now() - drainStarted} ms after the server matched`)
  expect(await pending()).toBe(0)
})

it('bulkPut 1,000 → on the server: the status counts them at once and the list refreshes once per commit', async () => {
  const database = `sqlite:${join(workDir, 'bulk.db')}`
  const demo = await startDemoProcess({ ...built, database, port: 0, cwd: workDir })
  const page = await browser.context.newPage()
  try {
    await openDemo(page, `${demo.origin}/?user=bulk&fast`)
    const measured = await page.evaluate(async () => {
      const { storage, autoSync, addNotes } = (
        window as unknown as {
          demo: {
            storage: { getAll(table: string): Promise<unknown[]> }
            autoSync: { getStatus(): { pendingChanges: number }; subscribe(listener: () => void): () => void }
            addNotes(texts: string[]): Promise<void>
          }
        }
      ).demo
      // Counts the page's own list reads (its onCommit listener calls storage.getAll).
      let listReads = 0
      const getAll = storage.getAll.bind(storage)
      storage.getAll = (table: string) => {
        listReads++
        return getAll(table)
      }
      const started = performance.now()
      await addNotes(Array.from({ length: 1_000 }, (_, index) => `bulk ${index}`))
      const pendingWhenResolved = autoSync.getStatus().pendingChanges
      await new Promise<void>((resolve) => {
        const check = () => {
          if (autoSync.getStatus().pendingChanges === 0) {
            off()
            resolve()
          }
        }
        const off = autoSync.subscribe(check)
        check()
      })
      return { pendingWhenResolved, listReads, milliseconds: performance.now() - started }
    })
    expect(measured.pendingWhenResolved).toBe(1_000)
    expect(measured.listReads).toBe(1)
    expect(await serverNotes(demo.origin, 'bulk').then((notes) => notes.size)).toBe(1_000)
    // A figure for the reader, not an assertion: timing depends on the machine.
    console.log(`[demo e2e] bulkPut 1,000 → on the server (?fast timers): ${Math.round(measured.milliseconds)} ms`)
  } finally {
    await page.close()
    await demo.kill('SIGTERM')
  }
})

it('at 1280 px the panel leaves the server column free, shows its whole breaker badge, and the page says to press Sync now', async () => {
  const database = `sqlite:${join(workDir, 'layout.db')}`
  const demo = await startDemoProcess({ ...built, database, port: 0, cwd: workDir })
  const page = await browser.context.newPage()
  try {
    await page.setViewportSize({ width: 1280, height: 800 })
    await openDemo(page, `${demo.origin}/?user=layout&fast&devtools`)
    await page.fill('#note-text', 'one note')
    await page.press('#note-text', 'Enter')
    await page.getByText('1 note on the server').waitFor({ timeout: 30_000 })
    // An outage long enough to open the circuit breaker (?fast: five failures within seconds).
    await page.click('#outage')
    await page.getByText('End server outage').waitFor()
    await page.fill('#note-text', 'written during the outage')
    await page.press('#note-text', 'Enter')
    await page
      .locator('[data-autosync-devtools] [data-field="breaker"]')
      .getByText('open until')
      .waitFor({ timeout: 60_000 })
    await page.locator('#status').getByText('press Sync now').waitFor()
    expect(await page.locator('[data-autosync-devtools] [data-action="resume"]').count()).toBe(0)
    const panel = await page.locator('[data-autosync-devtools] .panel').boundingBox()
    const serverColumn = await page.locator('section[aria-labelledby="server-title"]').boundingBox()
    const badge = await page.locator('[data-autosync-devtools] [data-field="breaker"]').boundingBox()
    // Each is laid out (a hidden element has no box), so the geometry below compares real boxes.
    if (!panel || !serverColumn || !badge) throw new Error('panel, server column or breaker badge is not laid out')
    const overlaps = (a: typeof panel, b: typeof panel) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    expect(overlaps(panel, serverColumn)).toBe(false)
    // The breaker badge lies wholly inside the panel and the viewport's width.
    expect(badge.x + badge.width).toBeLessThanOrEqual(panel.x + panel.width)
    expect(panel.x + panel.width).toBeLessThanOrEqual(1280)
    const screenshot = join(workDir, 'demo-1280.png')
    await page.screenshot({ path: screenshot })
    if (process.env.AUTOSYNC_KEEP_SCREENSHOT) await page.screenshot({ path: process.env.AUTOSYNC_KEEP_SCREENSHOT })
    // Sync now after the outage ends delivers at once, whatever the breaker says.
    await page.click('#outage')
    await page.getByText('Simulate server outage').waitFor()
    await page.click('#sync-now')
    await page.getByText('2 notes on the server').waitFor({ timeout: 30_000 })
  } finally {
    await page.close()
    await demo.kill('SIGTERM')
  }
})

it('a busy port ends with "port N is in use, set PORT" instead of a stack trace', async () => {
  const busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  const port = (busy.address() as { port: number }).port
  try {
    const failure = await startDemoProcess({ ...built, database: 'sqlite::memory:', port, cwd: workDir }).then(
      () => new Error('the demo started on a busy port'),
      (error: Error) => error,
    )
    expect(failure.message).toContain(`port ${port} is in use, set PORT`)
    expect(failure.message).toContain('exited early (1)')
    expect(failure.message).not.toMatch(/\n\s+at /)
  } finally {
    await new Promise<void>((resolve) => busy.close(() => resolve()))
  }
})

it('shows the devtools panel under the demo strict CSP with zero violations', async () => {
  const database = `sqlite:${join(workDir, 'csp.db')}`
  const demo = await startDemoProcess({ ...built, database, port: 0, cwd: workDir })
  const page = await browser.context.newPage()
  try {
    // Installed before any script runs, so a violation during startup is caught too.
    await page.addInitScript(() => {
      const violations: string[] = []
      document.addEventListener('securitypolicyviolation', (event) =>
        violations.push(`${event.violatedDirective} ${event.blockedURI}`),
      )
      Object.assign(window, { violations })
    })
    const response = await page.goto(`${demo.origin}/?user=csp&fast&devtools`)
    expect(response?.headers()['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'",
    )
    await page.waitForFunction(() => 'demo' in window, null, { polling: 20, timeout: 30_000 })
    await page.fill('#note-text', 'a note under CSP')
    await page.press('#note-text', 'Enter')
    // The open panel renders its outbox or history once the note is captured and synced.
    await page.waitForFunction(
      () => {
        const host = document.querySelector('[data-autosync-devtools]')
        return (host?.shadowRoot?.textContent ?? '').includes('succeeded')
      },
      null,
      { polling: 50, timeout: 30_000 },
    )
    const panelText = await page.evaluate(
      () => document.querySelector('[data-autosync-devtools]')?.shadowRoot?.textContent ?? '',
    )
    expect(panelText).toContain('Outbox')
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([])
  } finally {
    await page.close()
    await demo.kill('SIGTERM')
  }
})

it('two devices: a note typed on one appears on the other, and an offline edit conflict shows the resolver in devtools', async () => {
  const database = `sqlite:${join(workDir, 'devices.db')}`
  const demo = await startDemoProcess({ ...built, database, port: 0, cwd: workDir })
  const one = await browser.context.newPage()
  const two = await browser.context.newPage()
  const noteTexts = (page: Page) => page.locator('#local-notes li span').allTextContents()
  try {
    await openDemo(one, `${demo.origin}/?user=pair&fast&devtools`)
    // Device 2 is reached through the link device 1 shows: its own IndexedDB database.
    const secondDevice = await one.locator('#other-device').getAttribute('href')
    expect(secondDevice).toContain('device=2')
    await openDemo(two, `${demo.origin}/${secondDevice}&devtools`)
    expect(await two.locator('#device').textContent()).toBe('device 2')

    const started = Date.now()
    await one.fill('#note-text', 'typed on device 1')
    await one.press('#note-text', 'Enter')
    await two.locator('#local-notes').getByText('typed on device 1').waitFor({ timeout: 60_000 })
    console.log(`[demo e2e] a note typed on device 1 → shown on device 2: ${Date.now() - started} ms (?fast timers)`)

    // Device 2 goes offline and edits the note; device 1 edits it later, online. Last write wins: device 1's.
    await two.click('#offline')
    await two.getByText('Go online').waitFor()
    // Offline as on a plane: the engine's phase says offline (not "disabled" on a network that reads online).
    await two.locator('#status').getByText('phase: offline').waitFor()
    const edit = async (page: Page, text: string) => {
      await page.locator('#local-notes li', { hasText: 'typed on device 1' }).getByText('Edit').click()
      await page.fill('#local-notes input', text)
      await page.press('#local-notes input', 'Enter')
      await page.locator('#local-notes').getByText(text).waitFor()
    }
    await edit(two, 'edited offline on device 2')
    await edit(one, 'edited later on device 1')
    await waitUntil(
      async () => [...(await serverNotes(demo.origin, 'pair')).values()].includes('edited later on device 1'),
      "device 1's edit on the server",
    )
    await two.click('#offline')
    await two.getByText('Work offline').waitFor()
    // Device 2's push meets the newer revision on the server; its pull settles the conflict for the remote edit.
    await two
      .locator('[data-autosync-devtools] [data-section="pull"]')
      .getByText('took the remote version')
      .waitFor({ timeout: 60_000 })
    await two.locator('#status').getByText('conflicts resolved: 1').waitFor()
    // The conflict names the note's text, the discarded local text and why the policy chose, not only a key.
    expect(await two.locator('#conflicts li').allTextContents()).toEqual([
      expect.stringMatching(
        /^Kept “edited later on device 1”, discarded “edited offline on device 2” from this device: lastWriteWins: the other writer wrote later \(.+, this device .+\)$/,
      ),
    ])
    expect(
      await two
        .locator('[data-autosync-devtools] [data-section="pull"]')
        .getByText('lastWriteWins: the other writer wrote later')
        .count(),
    ).toBe(1)
    await two.locator('#local-notes').getByText('edited later on device 1').waitFor()
    expect(await noteTexts(two)).toEqual(['edited later on device 1'])
    expect(await noteTexts(one)).toEqual(['edited later on device 1'])
    expect([...(await serverNotes(demo.origin, 'pair')).values()]).toEqual(['edited later on device 1'])
  } finally {
    await one.close()
    await two.close()
    await demo.kill('SIGTERM')
  }
})

it('the Real-time checkbox reloads with ?realtime, the device link keeps it, and every note arrives exactly once', async () => {
  const database = `sqlite:${join(workDir, 'realtime.db')}`
  const demo = await startDemoProcess({ ...built, database, port: 0, cwd: workDir })
  const one = await browser.context.newPage()
  const two = await browser.context.newPage()
  try {
    await openDemo(one, `${demo.origin}/?user=live`)
    expect(await one.locator('#realtime').isChecked()).toBe(false)
    await Promise.all([one.waitForURL(/realtime/), one.locator('#realtime').check()])
    await one.locator('#user').getByText('live').waitFor()
    expect(await one.locator('#realtime').isChecked()).toBe(true)
    const secondDevice = await one.locator('#other-device').getAttribute('href')
    expect(secondDevice).toMatch(/device=2.*realtime|realtime.*device=2/)
    await openDemo(two, `${demo.origin}/${secondDevice}`)
    expect(await two.locator('#realtime').isChecked()).toBe(true)
    const texts = ['live 1', 'live 2', 'live 3', 'live 4', 'live 5']
    for (const text of texts) {
      await one.fill('#note-text', text)
      await one.press('#note-text', 'Enter')
      await one.locator('#local-notes').getByText(text).waitFor()
    }
    await two.locator('#local-notes').getByText('live 5').waitFor({ timeout: 60_000 })
    // Every note exactly once.
    const shown = await two.locator('#local-notes li span').allTextContents()
    expect([...shown].sort()).toEqual(texts)
    // Nothing pending: the timer only looks for remote changes, and the line says so instead of "next try".
    await two.locator('#status').getByText('next check for remote changes').waitFor()
    expect(await two.locator('#status').textContent()).not.toContain('next try')
  } finally {
    await one.close()
    await two.close()
    await demo.kill('SIGTERM')
  }
})
