import { createAutoSync } from '@autosync/core'
import { render, waitFor } from '@testing-library/react'
import { createElement, StrictMode } from 'react'
import { afterEach, expect, it } from 'vitest'
import { AutoSyncDevtools as DevelopmentOnlyDevtools } from '../src/devtools'
import { AutoSyncDevtools } from '../src/production'
import { createTestBackend } from './test-engine'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function engine() {
  const { storage, options } = await createTestBackend()
  const autoSync = createAutoSync({ ...options, userId: 'alice' })
  cleanups.push(() => storage.close())
  return autoSync
}

const hosts = () => document.querySelectorAll('[data-autosync-devtools]').length

it('mounts the panel while rendered and removes it on unmount (strict mode)', async () => {
  const autoSync = await engine()
  const view = render(
    createElement(StrictMode, null, createElement(AutoSyncDevtools, { autoSync, position: 'top-left' })),
  )
  await waitFor(() => expect(hosts()).toBe(1))
  expect(document.querySelector('[data-autosync-devtools]')?.className).toContain('top-left')
  view.unmount()
  expect(hosts()).toBe(0)
})

it('mounts nothing without an engine, nor from the default entry outside development', async () => {
  const autoSync = await engine()
  const view = render(createElement(AutoSyncDevtools, { autoSync: null }))
  expect(hosts()).toBe(0)
  view.unmount()
  expect(process.env.NODE_ENV).not.toBe('development')
  const development = render(createElement(DevelopmentOnlyDevtools, { autoSync }))
  expect(hosts()).toBe(0)
  development.unmount()
})
