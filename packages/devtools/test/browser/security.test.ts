import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, field, inPage, openHarness, openPanel, section, startFixture, strictPolicy } from './fixture'

const imagePayload = '<img src=x onerror=window.__xss=1>'
const svgPayload = '"><svg onload=window.__xss=1>'
const canaries = ['CANARY-TOKEN-7f3a9c', 'CANARYSIG0123456789abcdef']

let fixture: Fixture
let strictFixture: Fixture
beforeAll(async () => {
  ;[fixture, strictFixture] = await Promise.all([
    startFixture(),
    startFixture({ 'Content-Security-Policy': strictPolicy }),
  ])
})
afterAll(async () => {
  await fixture?.close()
  await strictFixture?.close()
})

describe('devtools panel safety', () => {
  it('renders hostile keys and values (and a 1 MB string) as text only', async () => {
    const page = await openHarness(fixture, { showValues: true })
    await openPanel(page)
    await inPage(
      page,
      async (harness, payloads) => {
        await harness.write('notes', payloads.image, { title: payloads.svg })
        await harness.write('notes', payloads.svg, { title: payloads.image })
        await harness.write('notes', 'big', { body: 'x'.repeat(1_000_000) })
        await harness.write('notes', `reject-${payloads.image}`, { title: payloads.svg })
        await harness.engine.syncNow()
        await harness.write('drafts', payloads.image, { title: payloads.svg })
      },
      { image: imagePayload, svg: svgPayload },
    )
    await section(page, 'dead-letters').getByText(`reject-${imagePayload}`, { exact: true }).waitFor()
    const buffered = section(page, 'buffered')
    await buffered.getByText(imagePayload, { exact: true }).waitFor()
    expect(await buffered.textContent()).toContain(svgPayload)
    // Nothing was parsed as markup, no handler ran, and the huge value was cut to a preview.
    const shadow = await page.evaluate(() => {
      const root = document.querySelector('[data-autosync-devtools]')!.shadowRoot!
      return {
        images: root.querySelectorAll('img, svg').length,
        length: root.textContent!.length,
        xss: (window as { __xss?: unknown }).__xss,
      }
    })
    expect(shadow.images).toBe(0)
    expect(shadow.xss).toBeUndefined()
    expect(shadow.length).toBeLessThan(50_000)
    await page.close()
  })

  it('never shows the adapter token, Authorization header or URL signature', async () => {
    const page = await openHarness(fixture, { showValues: true })
    await openPanel(page)
    await inPage(page, async (harness) => {
      await harness.write('notes', 'reject-token')
      await harness.engine.syncNow()
      harness.setFailure('auth-leak')
      await harness.write('notes', 'n1')
      await harness.clock.advance(60_000)
    })
    await section(page, 'failures').locator('tbody tr').first().waitFor()
    await section(page, 'dead-letters').getByText('reject-token', { exact: true }).waitFor()
    await page.locator('[data-action="sync-now"]').click()
    await page.locator('.message.bad').waitFor()
    const dom = await inPage(page, (harness) => harness.panelDom())
    // The leaking messages did reach the panel, redacted.
    expect(dom).toContain('Bearer [redacted]')
    expect(dom).toContain('X-Amz-Signature=[redacted]')
    for (const canary of canaries) expect(dom).not.toContain(canary)
    await page.close()
  })

  it('works under a strict Content-Security-Policy with zero violations', async () => {
    const page = await openHarness(strictFixture, { showValues: true })
    const response = await page.reload()
    expect(response?.headers()['content-security-policy']).toBe(strictPolicy)
    await page.waitForFunction(() => (window as { ready?: boolean }).ready, null, { polling: 20 })
    await page.evaluate('window.setup({ showValues: true })')
    await openPanel(page)
    await inPage(page, async (harness) => {
      await harness.write('notes', 'n1')
      await harness.write('notes', 'reject-1')
      await harness.engine.syncNow()
    })
    await section(page, 'dead-letters').getByText('reject-1', { exact: true }).waitFor()
    await field(page, 'phase').waitFor()
    // Styles applied: the panel has its border radius and the toggle its pill shape.
    const styled = await page.evaluate(() => {
      const root = document.querySelector('[data-autosync-devtools]')!.shadowRoot!
      return getComputedStyle(root.querySelector('.panel')!).borderTopLeftRadius
    })
    expect(styled).toBe('10px')
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([])
    // A control: an inline style under the same policy is reported, so the listener works.
    await page.evaluate(() => document.body.setAttribute('style', 'color: red'))
    await page.waitForFunction(() => (window as unknown as { violations: string[] }).violations.length > 0, null, {
      polling: 20,
    })
    await page.close()
  })
})
