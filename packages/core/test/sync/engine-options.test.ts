import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { AdapterError, ValidationError } from '../../src/errors'
import { createAutoSync } from '../../src/sync/auto-sync'
import { createMemoryAdapter } from '../../src/testing/memory-adapter'
import type { AutoSyncOptions } from '../../src/types'
import { createFixture, fail } from './test-fixture'

describe('createAutoSync validates its options (every build)', () => {
  const valid = async () => {
    const { storage, autoSync } = await createFixture({ start: false })
    await autoSync.stop()
    return { storage, adapter: createMemoryAdapter(), userId: 'u1' } as AutoSyncOptions
  }
  const cases: [string, (options: AutoSyncOptions) => object, string, RegExp][] = [
    ['no storage', (o) => ({ ...o, storage: undefined }), 'options.storage', /a Storage from openStorage/],
    [
      'an adapter without push',
      (o) => ({ ...o, adapter: { ...o.adapter, push: undefined } }),
      'options.adapter.push',
      /a function/,
    ],
    [
      'an adapter of another specificationVersion',
      (o) => ({ ...o, adapter: { ...o.adapter, specificationVersion: 'v2' } }),
      'options.adapter',
      /specificationVersion 'v1', got v2/,
    ],
    [
      'an adapter without a name',
      (o) => ({ ...o, adapter: { ...o.adapter, name: '' } }),
      'options.adapter.name',
      /non-empty/,
    ],
    [
      'an adapter without maxBatchSize',
      (o) => ({ ...o, adapter: { ...o.adapter, capabilities: {} } }),
      'options.adapter.capabilities.maxBatchSize',
      /positive integer/,
    ],
    ['a numeric userId', (o) => ({ ...o, userId: 7 }), 'options.userId', /non-empty string or null/],
    ['a negative bufferMs', (o) => ({ ...o, bufferMs: -1 }), 'options.bufferMs', /0 or more/],
    ['bufferMs as text', (o) => ({ ...o, bufferMs: '2000' }), 'options.bufferMs', /number of milliseconds/],
    [
      'an infinite periodicSyncMs',
      (o) => ({ ...o, periodicSyncMs: Number.POSITIVE_INFINITY }),
      'options.periodicSyncMs',
      /0 or more/,
    ],
    ['batchSize 0', (o) => ({ ...o, batchSize: 0 }), 'options.batchSize', /positive integer/],
    [
      'a fractional maxConsecutiveFailures',
      (o) => ({ ...o, maxConsecutiveFailures: 2.5 }),
      'options.maxConsecutiveFailures',
      /positive integer/,
    ],
    [
      'maxBufferMs below bufferMs',
      (o) => ({ ...o, bufferMs: 5_000, maxBufferMs: 1_000 }),
      'options.maxBufferMs',
      /at least bufferMs/,
    ],
    ['a clock without setTimeout', (o) => ({ ...o, clock: { now: () => 0 } }), 'options.clock', /a Clock/],
    [
      'a logger without warn',
      (o) => ({ ...o, logger: { debug() {}, info() {}, error() {} } }),
      'options.logger',
      /a Logger/,
    ],
    ['plugins not an array', (o) => ({ ...o, plugins: { name: 'x' } }), 'options.plugins', /an array of plugins/],
    ['a backoff without delay', (o) => ({ ...o, backoff: { maxMs: 1 } }), 'options.backoff', /a BackoffPolicy/],
  ]
  it.each(cases)('refuses %s with a ValidationError naming the option', async (_label, change, field, message) => {
    const options = change(await valid()) as AutoSyncOptions
    let caught: unknown
    try {
      createAutoSync(options)
    } catch (error) {
      caught = error
    }
    expect(ValidationError.isInstance(caught)).toBe(true)
    expect(caught).toMatchObject({ field })
    expect((caught as Error).message).toMatch(message)
  })

  it('refuses bad options in a production build too', async () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      const options = await valid()
      expect(() => createAutoSync({ ...options, batchSize: 0 })).toThrow(
        expect.objectContaining({ field: 'options.batchSize' }),
      )
    } finally {
      process.env.NODE_ENV = previous
    }
  })

  it('accepts the defaults and userId null', async () => {
    expect(() => createAutoSync(undefined as never)).toThrow(/options must be an object/)
    const options = await valid()
    expect(() => createAutoSync({ ...options, userId: null })).not.toThrow()
  })
})

describe('engine correctness (#15)', () => {
  it('isRetrying is true after an auth failure until a success', async () => {
    const { autoSync, steps, write, status } = await createFixture()
    steps.push(fail(new AdapterError('HTTP 401', { kind: 'auth', retryable: false, status: 401 })))
    await write('n1')
    await autoSync.syncNow()
    expect(status()).toMatchObject({ consecutiveFailures: 0, isRetrying: true })
    await autoSync.syncNow()
    expect(status()).toMatchObject({ isRetrying: false, pendingChanges: 0 })
    await autoSync.stop()
  })

  it('stop({ dispose: true }) stops the engine for good and disposes the adapter; stop() alone does not', async () => {
    const { autoSync, adapter } = await createFixture()
    let disposed = 0
    Object.assign(adapter, {
      dispose: async () => {
        disposed++
      },
    })
    await autoSync.stop()
    expect(disposed).toBe(0)
    await autoSync.start()
    await autoSync.stop({ dispose: true })
    expect(disposed).toBe(1)
    expect(autoSync.getStatus().phase).toBe('stopped')
  })

  it('runs a plugin’s setup again on start() after stop()', async () => {
    const { autoSync } = await createFixture()
    let setups = 0
    let teardowns = 0
    autoSync.use({
      name: 'counter',
      setup: () => {
        setups++
        return () => {
          teardowns++
        }
      },
    })
    await autoSync.stop()
    await autoSync.start()
    expect([setups, teardowns]).toEqual([2, 1])
    await autoSync.stop()
  })
})
