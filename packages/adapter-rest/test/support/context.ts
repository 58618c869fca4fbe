import type { AdapterContext, Change, Logger, PushBatch } from '@autosync/core'
import { vi } from 'vitest'

/** A logger whose every call is recorded, to prove what is (and is not) logged. */
export function recordingLogger(): Logger & { calls: unknown[][] } {
  const calls: unknown[][] = []
  const record = (...parts: unknown[]) => {
    calls.push(parts)
  }
  return { calls, debug: vi.fn(record), info: vi.fn(record), warn: vi.fn(record), error: vi.fn(record) }
}

export function adapterContext(overrides: Partial<AdapterContext> = {}): AdapterContext {
  return {
    signal: new AbortController().signal,
    userId: 'u1',
    clientId: 'c1',
    logger: recordingLogger(),
    ...overrides,
  }
}

let seq = 0

/** A put of `{ id: key, ...value }` with a fresh changeId. */
export function put(
  table: string,
  key: string | number,
  value: Record<string, unknown> = {},
  changedFields?: string[],
): Change {
  seq += 1
  return {
    changeId: `c1:${seq}`,
    table,
    key,
    op: 'put',
    value: { id: key, ...value },
    ...(changedFields && { changedFields }),
    seq,
    timestamp: 1_700_000_000_000 + seq,
  }
}

export function remove(table: string, key: string | number): Change {
  seq += 1
  return { changeId: `c1:${seq}`, table, key, op: 'delete', seq, timestamp: 1_700_000_000_000 + seq }
}

export function batchOf(changes: Change[], batchId = `batch-${++seq}`): PushBatch {
  return { batchId, clientId: 'c1', userId: 'u1', changes }
}
