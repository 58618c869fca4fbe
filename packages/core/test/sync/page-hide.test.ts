import 'fake-indexeddb/auto'
import { afterEach, expect, it } from 'vitest'
import { createFixture } from './test-fixture'

type Listening = Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
const globals = globalThis as Partial<Listening>

/** Gives Node's global the listener methods a browser window has; returns the target to dispatch on. */
function installWindowEvents(): EventTarget {
  const target = new EventTarget()
  globals.addEventListener = target.addEventListener.bind(target)
  globals.removeEventListener = target.removeEventListener.bind(target)
  return target
}

afterEach(() => {
  delete globals.addEventListener
  delete globals.removeEventListener
})

it('makes a final flush attempt on pagehide where a window exists', async () => {
  const page = installWindowEvents()
  const fixture = await createFixture()
  await fixture.write('a')
  expect(fixture.pushes()).toBe(0)
  page.dispatchEvent(new Event('pagehide'))
  await fixture.clock.flush()
  expect(fixture.pushes()).toBe(1)
  expect(fixture.elapsed()).toBe(0)
  await fixture.autoSync.stop()
  await fixture.write('b')
  page.dispatchEvent(new Event('pagehide'))
  await fixture.clock.flush()
  expect(fixture.pushes()).toBe(1)
})

it('touches no window when there is none (Node, SSR)', async () => {
  const fixture = await createFixture()
  await fixture.write('a')
  await fixture.clock.advance(2_000)
  expect(fixture.pushes()).toBe(1)
})
