import { afterEach } from 'vitest'
import type { PullResponse, RemoteChange } from '../../src/types'
import { createBackend } from './devices'

/** A valid remote note from another client, at the given revision. */
export const remoteNote = (id: string, revision: string): RemoteChange => ({
  table: 'notes',
  key: id,
  op: 'put',
  value: { id, userId: 'u1', text: id },
  revision,
  changeId: `other:${revision}`,
  timestamp: 1,
})

/** A backend and a device whose adapter answers the next pulls with the given pages instead of the backend's. */
export async function deviceWithPages(pages: unknown[]) {
  const backend = await createBackend()
  const device = await backend.openDevice('a')
  const adapter = device.autoSync.adapter
  const real = adapter.pull!.bind(adapter)
  adapter.pull = async (request, context) =>
    pages.length > 0 ? (pages.shift() as PullResponse) : real(request, context)
  return { backend, device }
}

/** Registers the backend's cleanup after each test and returns the opener: `const deviceWithPages = useScriptedPages()`. */
export function useScriptedPages() {
  let backend: Awaited<ReturnType<typeof createBackend>> | undefined
  afterEach(() => backend?.closeAll())
  return async (pages: unknown[]) => {
    const opened = await deviceWithPages(pages)
    backend = opened.backend
    return opened.device
  }
}
