import { ValidationError } from '../errors'
import type { AutoSyncOptions } from '../types'

type Check = (value: unknown) => boolean

const isFunction: Check = (value) => typeof value === 'function'
const isObject: Check = (value) => typeof value === 'object' && value !== null
const hasFunctions =
  (...names: string[]): Check =>
  (value) =>
    isObject(value) && names.every((name) => isFunction((value as Record<string, unknown>)[name]))
const duration: Check = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0
const count: Check = (value) => Number.isSafeInteger(value) && (value as number) > 0

/** Optional options: [name, check, what it must be]. */
const optional: [keyof AutoSyncOptions, Check, string][] = [
  ['bufferMs', duration, 'a number of milliseconds, 0 or more'],
  ['maxBufferMs', duration, 'a number of milliseconds, 0 or more'],
  ['minIntervalMs', duration, 'a number of milliseconds, 0 or more'],
  ['periodicSyncMs', duration, 'a number of milliseconds, 0 or more (0 turns it off)'],
  ['recoveryMs', duration, 'a number of milliseconds, 0 or more'],
  ['maxConsecutiveFailures', count, 'a positive integer'],
  ['batchSize', count, 'a positive integer'],
  [
    'backoff',
    (value) => hasFunctions('delay')(value) && duration((value as { maxMs: unknown }).maxMs),
    'a BackoffPolicy ({ delay(failures, random), maxMs })',
  ],
  ['clock', hasFunctions('now', 'setTimeout', 'clearTimeout'), 'a Clock ({ now, setTimeout, clearTimeout })'],
  ['random', isFunction, 'a function returning a number in [0, 1)'],
  ['network', hasFunctions('isOnline', 'subscribe'), 'a Network ({ isOnline, subscribe })'],
  ['logger', hasFunctions('debug', 'info', 'warn', 'error'), 'a Logger ({ debug, info, warn, error })'],
  [
    'plugins',
    (value) => Array.isArray(value) && value.every((plugin) => isObject(plugin) && typeof plugin.name === 'string'),
    'an array of plugins, each with a name',
  ],
]

/**
 * Refuses `createAutoSync` options it cannot run with, naming the option (`ValidationError.field`). In every
 * build: a production app misconfigured by an environment variable gets the same clear error as in development.
 */
export function assertValidEngineOptions(options: AutoSyncOptions): void {
  const fail = (field: string, expected: string, detail = ''): never => {
    throw new ValidationError(`[sync] options.${field} must be ${expected}${detail}`, { field: `options.${field}` })
  }
  if (!isObject(options)) throw new ValidationError('[sync] options must be an object', { field: 'options' })
  const { storage, adapter, userId } = options
  if (!hasFunctions('put', 'get')(storage) || !isObject(storage.outbox)) fail('storage', 'a Storage from openStorage()')
  if (!isObject(adapter)) fail('adapter', 'a SyncAdapter')
  if (adapter.specificationVersion !== 'v1') {
    fail('adapter', "a SyncAdapter of specificationVersion 'v1'", `, got ${String(adapter.specificationVersion)}`)
  }
  if (!isFunction(adapter.push)) fail('adapter.push', 'a function')
  if (typeof adapter.name !== 'string' || adapter.name === '') fail('adapter.name', 'a non-empty string')
  if (!count(adapter.capabilities?.maxBatchSize)) fail('adapter.capabilities.maxBatchSize', 'a positive integer')
  if (userId !== null && userId !== undefined && (typeof userId !== 'string' || userId === '')) {
    fail('userId', 'a non-empty string or null')
  }
  for (const [name, check, expected] of optional) {
    if (options[name] !== undefined && !check(options[name])) fail(name, expected)
  }
  const { bufferMs, maxBufferMs } = options
  if (bufferMs !== undefined && maxBufferMs !== undefined && maxBufferMs < bufferMs) {
    fail('maxBufferMs', `at least bufferMs (${bufferMs})`)
  }
}
