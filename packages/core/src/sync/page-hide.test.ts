import 'fake-indexeddb/auto'
import { afterEach, expect, it } from 'vitest'
import { createFixture } from './test-fixture'

const globals = globalThis as { window?: EventTarget }

afterEach(() => {
  delete globals.window
})

it('makes a final flush attempt on pagehide where a window exists', async () => {
  globals.window = new EventTarget()
  const fixture = await createFixture()
  await fixture.write('a')
  expect(fixture.pushes()).toBe(0)
  globals.window.dispatchEvent(new Event('pagehide'))
  await fixture.clock.flush()
  expect(fixture.pushes()).toBe(1)
  expect(fixture.elapsed()).toBe(0)
  await fixture.autoSync.stop()
  await fixture.write('b')
  globals.window.dispatchEvent(new Event('pagehide'))
  await fixture.clock.flush()
  expect(fixture.pushes()).toBe(1)
})

it('touches no window when there is none (Node, SSR)', async () => {
  const fixture = await createFixture()
  await fixture.write('a')
  await fixture.clock.advance(2_000)
  expect(fixture.pushes()).toBe(1)
})
