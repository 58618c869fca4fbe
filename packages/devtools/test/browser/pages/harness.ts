// A real engine (openStorage + createAutoSync + memory adapter) on a fake clock, driven by the tests through `window.harness`.
import {
  AdapterError,
  type AutoSync,
  createAutoSync,
  exponentialBackoff,
  openStorage,
  type PushBatch,
  type PushResult,
  type SyncAdapter,
  skipTables,
} from '@autosync/core'
import { createFakeClock, createMemoryAdapter } from '@autosync/core/testing'
import { mergeFields, twoWay } from '@autosync/core/two-way'
import { mountDevtools } from '../../../src/production'

export const canaryToken = 'CANARY-TOKEN-7f3a9c'
export const canarySignature = 'CANARYSIG0123456789abcdef'

type FailureMode = 'none' | 'server' | 'auth' | 'auth-leak'

/** Wraps an AutoSync so the test can count live subscriptions (status, lifecycle and storage events). */
function countSubscriptions(autoSync: AutoSync) {
  let active = 0
  const track = (off: () => void) => {
    active++
    let done = false
    return () => {
      if (!done) active--
      done = true
      off()
    }
  }
  const events = {
    on: (table: string, listener: Parameters<AutoSync['storage']['events']['on']>[1]) =>
      track(autoSync.storage.events.on(table, listener)),
    onAny: (listener: Parameters<AutoSync['storage']['events']['onAny']>[0]) =>
      track(autoSync.storage.events.onAny(listener)),
  }
  const storage = new Proxy(autoSync.storage, {
    get: (target, property) => (property === 'events' ? events : Reflect.get(target, property)),
  })
  const counted = new Proxy(autoSync, {
    get(target, property) {
      if (property === 'storage') return storage
      if (property === 'subscribe')
        return (listener: Parameters<AutoSync['subscribe']>[0]) => track(target.subscribe(listener))
      if (property === 'on')
        return (type: Parameters<AutoSync['on']>[0], listener: Parameters<AutoSync['on']>[1]) =>
          track(target.on(type, listener))
      const value = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { autoSync: counted, active: () => active }
}

async function createHarness(
  options: { showValues?: boolean; theme?: 'light' | 'dark'; name?: string; twoWay?: boolean } = {},
) {
  const clock = createFakeClock({ start: Date.UTC(2026, 10, 26, 10, 30) })
  const memory = createMemoryAdapter()
  let failure: FailureMode = 'none'
  const getToken = () => canaryToken
  const adapter: SyncAdapter = {
    ...memory,
    name: 'test',
    async push(batch: PushBatch, context): Promise<PushResult> {
      const authorization = `Bearer ${getToken()}`
      if (failure === 'server')
        throw new AdapterError('[autosync] [test] POST /sync answered 503', {
          kind: 'server',
          retryable: true,
          status: 503,
        })
      if (failure === 'auth')
        throw new AdapterError('[autosync] [test] 401 token expired', { kind: 'auth', retryable: false, status: 401 })
      if (failure === 'auth-leak') {
        throw new AdapterError(
          `[autosync] [test] PUT https://bucket.example/o?X-Amz-Signature=${canarySignature}&token=${canaryToken} failed with Authorization: ${authorization}`,
          { kind: 'server', retryable: true, status: 500 },
        )
      }
      const rejected = batch.changes.filter((change) => String(change.key).startsWith('reject-'))
      const accepted = await memory.push(
        { ...batch, changes: batch.changes.filter((change) => !rejected.includes(change)) },
        context,
      )
      return {
        accepted: accepted.accepted,
        revisions: accepted.revisions ?? {},
        rejected: [
          ...(accepted.rejected ?? []),
          ...rejected.map((change) => ({
            changeId: change.changeId,
            reason: `422 title is required (${authorization})`,
          })),
        ],
      }
    },
  }
  const storage = await openStorage({
    name: options.name ?? `devtools-${Math.random()}`,
    version: 1,
    tables: { notes: { keyPath: 'id' }, drafts: { keyPath: 'id' }, checkpoints: { keyPath: 'id' } },
    userIdField: 'userId',
    clock,
  })
  const engine = createAutoSync({
    storage,
    adapter,
    userId: 'alice',
    plugins: [skipTables(['checkpoints']), ...(options.twoWay ? [twoWay({ resolve: mergeFields() })] : [])],
    clock,
    random: () => 0,
    bufferMs: 60_000,
    maxBufferMs: 60_000,
    minIntervalMs: 1_000,
    periodicSyncMs: 0,
    backoff: exponentialBackoff({ initialMs: 5_000, factor: 2, maxMs: 60_000, jitter: 0 }),
  })
  await engine.start()
  const counted = countSubscriptions(engine)
  let handle = mountDevtools(counted.autoSync, {
    initialOpen: false,
    clock,
    showValues: options.showValues ?? false,
    theme: options.theme ?? 'light',
  })
  return {
    clock,
    memory,
    storage,
    engine,
    activeSubscriptions: counted.active,
    setFailure: (mode: FailureMode) => {
      failure = mode
    },
    write: (table: string, id: string, fields: Record<string, unknown> = {}) =>
      storage.put(table, { id, userId: 'alice', title: `note ${id}`, ...fields }),
    remount: () => {
      handle.unmount()
      handle = mountDevtools(counted.autoSync, { initialOpen: true, clock })
    },
    unmount: () => handle.unmount(),
    /** Text and attribute values of every node inside the panel's shadow root. */
    panelDom: () => {
      const host = document.querySelector('[data-autosync-devtools]')
      const root = host?.shadowRoot
      if (!root) return ''
      const parts: string[] = [root.textContent ?? '']
      for (const element of root.querySelectorAll('*'))
        for (const attribute of element.attributes) parts.push(attribute.value)
      return parts.join('\n')
    },
  }
}

export type Harness = Awaited<ReturnType<typeof createHarness>>
export type HarnessOptions = Parameters<typeof createHarness>[0]
const setup = async (options: HarnessOptions) => {
  Object.assign(window, { harness: await createHarness(options) })
}

const violations: string[] = []
document.addEventListener('securitypolicyviolation', (event) =>
  violations.push(`${event.violatedDirective} ${event.blockedURI}`),
)
Object.assign(window, { setup, violations, ready: true })
