// @vitest-environment happy-dom
import type { AutoSync, SyncStatus } from '@autosync/core'
import { afterEach, expect, it, vi } from 'vitest'
import { mountDevtools as mountAlways } from '../src/production'

/** Just enough of the AutoSync surface for mounting the toggle button (the panel is tested on the real engine in Chromium). */
function statusOnlyEngine(status: Partial<SyncStatus>) {
  const listeners = new Set<(status: SyncStatus) => void>()
  let current = { phase: 'idle', pendingChanges: 0, ...status } as SyncStatus
  const autoSync = {
    getStatus: () => current,
    subscribe(listener: (status: SyncStatus) => void) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  } as unknown as AutoSync
  const publish = (next: Partial<SyncStatus>) => {
    current = { ...current, ...next }
    for (const listener of listeners) listener(current)
  }
  return { autoSync, publish, listeners }
}

const initialEnvironment = process.env.NODE_ENV
afterEach(() => {
  process.env.NODE_ENV = initialEnvironment
  document.body.replaceChildren()
})
const host = () => document.querySelector('[data-autosync-devtools]')

/** The default entry decides at import time, so each case imports a fresh copy under its NODE_ENV. */
async function importDefaultEntry(nodeEnvironment: string | undefined) {
  if (nodeEnvironment === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = nodeEnvironment
  vi.resetModules()
  return (await import('../src/index')).mountDevtools
}

it.each(['production', 'test', 'staging', undefined])(
  'the default entry mounts nothing when NODE_ENV is %s',
  async (value) => {
    const mountDevtools = await importDefaultEntry(value)
    const { autoSync, listeners } = statusOnlyEngine({})
    mountDevtools(autoSync).unmount()
    expect(host()).toBeNull()
    expect(listeners.size).toBe(0)
  },
)

it('the default entry keeps its import-time choice when NODE_ENV changes later', async () => {
  const mountDevtools = await importDefaultEntry('production')
  process.env.NODE_ENV = 'development'
  const { autoSync } = statusOnlyEngine({})
  mountDevtools(autoSync)
  expect(host()).toBeNull()
})

it('the default entry mounts in development', async () => {
  const mountDevtools = await importDefaultEntry('development')
  const { autoSync } = statusOnlyEngine({})
  const { unmount } = mountDevtools(autoSync)
  expect(host()).not.toBeNull()
  unmount()
  expect(host()).toBeNull()
})

it.each([
  ['development', true],
  ['test', false],
  ['production', false],
])(
  'the development-condition entry, where process exists, mounts only when NODE_ENV is development (%s)',
  async (value, mounts) => {
    process.env.NODE_ENV = value
    vi.resetModules()
    const { mountDevtools } = await import('../src/development')
    const { autoSync } = statusOnlyEngine({})
    const { unmount } = mountDevtools(autoSync)
    expect(host() !== null).toBe(mounts)
    unmount()
  },
)

it('the toggle shows phase and pending count live, inside a target when given', () => {
  const target = document.createElement('aside')
  document.body.append(target)
  const { autoSync, publish, listeners } = statusOnlyEngine({ phase: 'buffering', pendingChanges: 2 })
  const { unmount } = mountAlways(autoSync, { target, theme: 'dark' })
  const mounted = target.querySelector('[data-autosync-devtools]')!
  expect(mounted.className).toBe('inline dark')
  const toggle = mounted.shadowRoot!.querySelector('button.toggle')!
  expect(toggle.getAttribute('data-phase')).toBe('buffering')
  expect(toggle.textContent).toBe('autosync · 2')
  publish({ phase: 'backoff', pendingChanges: 3 })
  expect(toggle.getAttribute('data-phase')).toBe('backoff')
  expect(toggle.textContent).toBe('autosync · 3')
  expect(toggle.hasAttribute('data-dead-letters')).toBe(false)
  // Dead letters show on the badge (and turn its dot red) whatever the phase: a green idle badge hid them.
  publish({ phase: 'idle', pendingChanges: 0, deadLetters: 500 })
  expect(toggle.textContent).toBe('autosync · 500 dead letters')
  expect(toggle.hasAttribute('data-dead-letters')).toBe(true)
  publish({ phase: 'idle', pendingChanges: 1, deadLetters: 1 })
  expect(toggle.textContent).toBe('autosync · 1 · 1 dead letter')
  expect(mounted.shadowRoot!.querySelector('[style]')).toBeNull()
  unmount()
  expect(target.children).toHaveLength(0)
  expect(listeners.size).toBe(0)
})

it('an unmount while the panel chunk is still loading leaves nothing behind', async () => {
  const { autoSync, listeners } = statusOnlyEngine({})
  const { unmount } = mountAlways(autoSync, { initialOpen: true })
  unmount()
  // The same module the toggle loads; the mount's continuation was queued first, so it has run by now.
  await import('../src/panel/index')
  expect(host()).toBeNull()
  expect(listeners.size).toBe(0)
})
