import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Fixture, inPage, openHarness, openPanel, section, startFixture } from './fixture'

// `npm test` writes to a temporary folder so the working tree stays unchanged; `npm run docs` sets the docs path.
const screenshotPath = process.env.AUTOSYNC_SCREENSHOT_PATH
  ? resolve(process.env.AUTOSYNC_SCREENSHOT_PATH)
  : join(mkdtempSync(join(tmpdir(), 'autosync-devtools-')), 'devtools-panel.png')

let fixture: Fixture
beforeAll(async () => {
  fixture = await startFixture()
})
afterAll(() => fixture?.close())

it('takes a screenshot of the open panel in a realistic state (`npm run docs` writes docs/devtools-panel.png)', async () => {
  const page = await openHarness(fixture, { showValues: false, theme: 'light' })
  await page.setViewportSize({ width: 760, height: 1300 })
  await openPanel(page)
  await inPage(page, async (harness) => {
    for (const id of ['note-1', 'note-2', 'note-3']) await harness.write('notes', id)
    await harness.clock.advance(61_000)
    await harness.write('notes', 'reject-note-7')
    await harness.engine.syncNow()
    await harness.write('checkpoints', 'checkpoint-2026-11-26')
    harness.setFailure('server')
    await harness.write('notes', 'groceries')
    await harness.write('drafts', 'draft-9')
    await harness.clock.advance(61_000)
    await harness.storage.update('notes', 'groceries', { title: 'Groceries for Sunday' })
    await harness.write('notes', 'todo')
    await harness.storage.delete('drafts', 'draft-9')
    await harness.clock.advance(1_500)
  })
  await section(page, 'failures').locator('tbody tr').first().waitFor()
  await section(page, 'buffered').getByText('todo').waitFor()
  await section(page, 'dead-letters').getByText('reject-note-7', { exact: true }).waitFor()
  // Ages move with the panel's one-second ticker.
  await section(page, 'buffered').getByText('1.5 s ago').first().waitFor()
  // For the picture only: let the panel grow to its full height instead of scrolling.
  await page.evaluate(() => {
    const root = document.querySelector('[data-autosync-devtools]')!.shadowRoot!
    const sheet = new CSSStyleSheet()
    sheet.replaceSync('.panel{max-height:none}')
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
  })
  const panel = page.locator('.panel')
  await panel.screenshot({ path: screenshotPath })
  expect(statSync(screenshotPath).size).toBeGreaterThan(10_000)
  expect(await section(page, 'history').locator('tbody tr').count()).toBeGreaterThanOrEqual(3)
  await page.close()
})
