import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, field, inPage, openHarness, openPanel, section, startFixture } from './fixture'

let fixture: Fixture
beforeAll(async () => {
  fixture = await startFixture()
})
afterAll(() => fixture?.close())

const advanceUntil = (page: Parameters<typeof inPage>[0], phase: string) =>
  inPage(
    page,
    async (harness, wanted) => {
      for (let step = 0; step < 20 && harness.engine.getStatus().phase !== wanted; step++)
        await harness.clock.advance(30_000)
      return harness.engine.getStatus().phase
    },
    phase,
  )

describe('devtools panel on a real engine in Chromium', () => {
  it('mounts a toggle, opens lazily and lists buffered events and skipped changes', async () => {
    const page = await openHarness(fixture)
    await expect(page.locator('button.toggle').getAttribute('aria-expanded')).resolves.toBe('false')
    await expect(page.locator('.panel').count()).resolves.toBe(0)
    await openPanel(page)
    await section(page, 'buffered').getByText('No changes captured').waitFor()
    await inPage(page, async (harness) => {
      await harness.write('notes', 'n1')
      await harness.write('drafts', 'd1')
      await harness.write('checkpoints', 'c1')
      // The engine recounts the outbox at most every 250 ms during a burst; let that count run.
      await harness.clock.advance(250)
    })
    const buffered = section(page, 'buffered')
    await buffered.getByText('n1').waitFor()
    await buffered.getByText('d1').waitFor()
    expect(await buffered.locator('tbody tr').count()).toBe(2)
    expect(await buffered.textContent()).toContain('create')
    await section(page, 'skipped').getByText('c1').waitFor()
    await field(page, 'pending').getByText('2').waitFor()
    // Record values stay hidden unless the app opts in.
    expect(await inPage(page, (harness) => harness.panelDom())).not.toContain('note n1')
    await page.close()
  })

  it('shows a failure with kind, attempt and countdown, then the open circuit breaker after 5 failures', async () => {
    const page = await openHarness(fixture)
    await openPanel(page)
    await inPage(page, async (harness) => {
      harness.setFailure('server')
      await harness.write('notes', 'n1')
      await harness.clock.advance(60_000)
    })
    const failures = section(page, 'failures')
    await failures.locator('tbody tr').first().waitFor()
    const row = await failures.locator('tbody tr').first().textContent()
    expect(row).toContain('server')
    expect(row).toContain('503')
    expect(row).toContain('#1')
    expect(row).toContain('in 5.0 s')
    await field(page, 'failures').getByText('1').waitFor()
    expect(await field(page, 'breaker').textContent()).toContain('closed')

    expect(await advanceUntil(page, 'disabled')).toBe('disabled')
    await field(page, 'breaker').getByText('open until').waitFor()
    await field(page, 'failures').getByText('5').waitFor()
    // The user never paused: the breaker is no reason to offer "Resume".
    expect(await page.locator('[data-action="resume"]').count()).toBe(0)
    expect(await page.locator('[data-action="pause"]').textContent()).toBe('Pause')
    expect(await failures.locator('tbody tr').count()).toBe(5)
    expect(await failures.locator('tbody tr').first().textContent()).toContain('#5')
    expect(await section(page, 'history').textContent()).toContain('failed (server)')
    await page.close()
  })

  it('never says "No sync yet" beside a last sync made before the panel opened', async () => {
    const page = await openHarness(fixture)
    await inPage(page, async (harness) => {
      await harness.write('notes', 'early')
      await harness.engine.syncNow()
    })
    await openPanel(page)
    const history = section(page, 'history')
    await history.getByText('No sync since the panel opened.').waitFor()
    expect(await history.textContent()).not.toContain('No sync yet')
    await page.close()
  })

  it('shows an auth failure as waiting for sign-in', async () => {
    const page = await openHarness(fixture)
    await openPanel(page)
    await inPage(page, async (harness) => {
      harness.setFailure('auth')
      await harness.write('notes', 'n1')
      await harness.clock.advance(60_000)
    })
    const row = section(page, 'failures').locator('tbody tr').first()
    await row.getByText('after sign-in').waitFor()
    expect(await row.textContent()).toContain('401')
    expect(await row.textContent()).toContain('auth (permanent)')
    await page.close()
  })

  it('"Sync now" empties the outbox and pause/resume toggles auto-sync', async () => {
    const page = await openHarness(fixture)
    await openPanel(page)
    await inPage(page, async (harness) => {
      for (const id of ['a', 'b', 'c']) await harness.write('notes', id)
      await harness.write('drafts', 'd')
      await harness.clock.advance(250)
    })
    const outbox = section(page, 'outbox')
    await outbox.getByText('notes').waitFor()
    expect(await outbox.locator('h3 .count').textContent()).toBe('4')
    await page.locator('[data-action="sync-now"]').click()
    await outbox.getByText('Nothing waiting to be sent.').waitFor()
    expect(await inPage(page, (harness) => harness.memory.applied.length)).toBe(4)
    await section(page, 'history').getByText('succeeded').waitFor()

    await page.locator('[data-action="pause"]').click()
    await page.locator('[data-action="resume"]').waitFor()
    expect(await inPage(page, (harness) => harness.engine.getStatus().isEnabled)).toBe(false)
    await field(page, 'breaker').getByText('paused').waitFor()
    await page.locator('[data-action="resume"]').click()
    await page.locator('[data-action="pause"]').waitFor()
    expect(await inPage(page, (harness) => harness.engine.getStatus().isEnabled)).toBe(true)
    await page.close()
  })

  it('retries and discards (after confirmation) dead letters', async () => {
    const page = await openHarness(fixture)
    await openPanel(page)
    await inPage(page, async (harness) => {
      await harness.write('notes', 'reject-1')
      await harness.write('notes', 'reject-2')
      await harness.engine.syncNow()
    })
    const letters = section(page, 'dead-letters')
    await letters.locator('tbody tr').nth(1).waitFor()
    expect(await letters.textContent()).toContain('422 title is required')

    await letters.locator('tr', { hasText: 'reject-1' }).getByRole('button', { name: 'Retry' }).click()
    await letters.locator('tr', { hasText: 'reject-1' }).waitFor({ state: 'detached' })
    await section(page, 'outbox').getByText('notes').waitFor()
    expect(await inPage(page, (harness) => harness.storage.outbox.count())).toBe(1)

    const second = letters.locator('tr', { hasText: 'reject-2' })
    await second.getByRole('button', { name: 'Discard' }).click()
    await second.getByText('Discard for good?').waitFor()
    expect(await inPage(page, (harness) => harness.storage.deadLetters.count())).toBe(1)
    await second.getByRole('button', { name: 'Confirm' }).click()
    await letters.getByText('No change was refused for good.').waitFor()
    expect(await inPage(page, (harness) => harness.storage.deadLetters.count())).toBe(0)
    await page.close()
  })

  it('shows the last pull, the cursor and each conflict with the policy’s choice', async () => {
    const page = await openHarness(fixture, { twoWay: true })
    await openPanel(page)
    await inPage(page, async (harness) => {
      await harness.clock.advance(0)
      await harness.write('notes', 'shared', { body: 'body' })
      await harness.engine.syncNow()
      // Another device edits the title while this one edits the body, offline.
      harness.memory.writeRemote('alice', {
        table: 'notes',
        key: 'shared',
        op: 'put',
        value: { id: 'shared', userId: 'alice', title: 'remote title', body: 'body' },
        changedFields: ['title'],
      })
      await harness.storage.update('notes', 'shared', { body: 'local body' })
      await harness.engine.syncNow()
    })
    const pull = section(page, 'pull')
    await pull.getByText('merged both').waitFor()
    expect(await pull.textContent()).toContain('notes shared')
    // Why the policy chose, with field names and no values.
    expect(await pull.textContent()).toContain(
      "(mergeFields: kept this device's body; every other field from the other writer)",
    )
    expect(await pull.textContent()).not.toContain('local body')
    expect(await pull.textContent()).toMatch(/cursor\s*3/)
    expect(await pull.textContent()).toMatch(/conflicts resolved\s*1/)
    await page.close()
  })

  it('has no pull section for a push-only engine', async () => {
    const page = await openHarness(fixture)
    await openPanel(page)
    await section(page, 'history').waitFor()
    expect(await section(page, 'pull').count()).toBe(0)
    await page.close()
  })

  it('unmount removes every node, listener and subscription', async () => {
    const page = await openHarness(fixture)
    const beforeOpen = await inPage(page, (harness) => harness.activeSubscriptions())
    expect(beforeOpen).toBe(1)
    await openPanel(page)
    await section(page, 'history').waitFor()
    expect(await inPage(page, (harness) => harness.activeSubscriptions())).toBeGreaterThan(3)
    await inPage(page, (harness) => harness.unmount())
    expect(await inPage(page, (harness) => harness.activeSubscriptions())).toBe(0)
    expect(await page.locator('[data-autosync-devtools]').count()).toBe(0)
    // A write after unmount reaches no panel code.
    await inPage(page, (harness) => harness.write('notes', 'after'))
    expect(await page.evaluate(() => document.body.innerHTML)).not.toContain('autosync')
    await page.close()
  })
})
