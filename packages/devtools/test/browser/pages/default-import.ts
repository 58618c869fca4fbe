// An app that mounts the panel through the package's default import, resolved as the test's bundler options say.
import { createAutoSync, openStorage } from '@autosync/core'
import { createMemoryAdapter } from '@autosync/core/testing'
import mountDevtools from '@autosync/devtools'

const api = {
  async mount() {
    const storage = await openStorage({
      name: `default-import-${Date.now()}`,
      version: 1,
      tables: { notes: { keyPath: 'id' } },
    })
    const autoSync = createAutoSync({ storage, adapter: createMemoryAdapter(), userId: 'u1', periodicSyncMs: 0 })
    mountDevtools(autoSync)
    return document.querySelector('[data-autosync-devtools]') !== null
  },
}

Object.assign(window, { api, ready: true })
