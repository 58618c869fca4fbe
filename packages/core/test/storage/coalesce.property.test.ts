import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { PendingChange, StorageTransaction } from '../../src/types'
import { openTestStorage } from './test-helpers'

type Value = { id: string; userId: string; n: number; f1?: number; f2?: number }
type Write =
  | { kind: 'put'; key: string; n: number }
  | { kind: 'update'; key: string; field: 'f1' | 'f2' | 'n'; n: number }
  | { kind: 'delete'; key: string }
type Step =
  | Write
  | { kind: 'clear' }
  | { kind: 'transaction'; writes: Write[]; fail: boolean }
  | { kind: 'ack'; limit: number; lostAck: boolean; writeDuringPush?: Write }

const keys = ['a', 'b', 'c']
const key = fc.constantFrom(...keys)
const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key, n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({
    kind: fc.constant('update' as const),
    key,
    field: fc.constantFrom('f1' as const, 'f2' as const, 'n' as const),
    n: fc.integer({ min: 0, max: 9 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), key }),
)
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: write },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('transaction' as const),
      writes: fc.array(write, { maxLength: 4 }),
      fail: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constant('ack' as const),
        limit: fc.integer({ min: 1, max: 3 }),
        lostAck: fc.boolean(),
        writeDuringPush: write,
      },
      { requiredKeys: ['kind', 'limit', 'lostAck'] },
    ),
  },
)

/** The local records as storage should hold them. */
class LocalModel {
  records = new Map<string, Value | undefined>()

  /** Applies a write the way storage should; `update` of a missing record is refused. */
  apply(step: Write): boolean {
    const current = this.records.get(step.key)
    if (step.kind === 'put') this.records.set(step.key, { id: step.key, userId: 'u1', n: step.n })
    else if (step.kind === 'update') {
      if (!current) return false
      this.records.set(step.key, { ...current, [step.field]: step.n })
    } else this.records.delete(step.key)
    return true
  }

  clone(): LocalModel {
    const copy = new LocalModel()
    copy.records = new Map(this.records)
    return copy
  }
}

/** A server that applies pushed changes the way an adapter would, partial updates included. */
function applyToServer(server: Map<string, Value>, change: PendingChange): void {
  const name = String(change.key)
  if (change.op === 'delete') {
    server.delete(name)
    return
  }
  const value = change.value as Value
  if (!change.changedFields) {
    server.set(name, value)
    return
  }
  const current = server.get(name)
  expect(current, `partial update of ${name} the server never saw`).toBeDefined()
  const patch = Object.fromEntries(change.changedFields.map((field) => [field, value[field as keyof Value]]))
  server.set(name, { ...current!, ...patch })
}

/** What must be pending for a record, given what the server has and what is local (acks may have been lost). */
function checkPending(
  name: string,
  server: Value | undefined,
  local: Value | undefined,
  change: PendingChange | undefined,
  ackLost: boolean,
) {
  if (!local) {
    if (!server) expect(change?.op ?? 'none', `${name}: nothing to push, or a harmless delete`).not.toBe('put')
    else expect(change, `${name}: a delete`).toMatchObject({ op: 'delete' })
    return
  }
  if (!server) {
    // A full value; `created` is false only when the ack of a pushed delete was lost.
    expect(change, `${name}: a create`).toMatchObject({ op: 'put', value: local })
    if (!ackLost) expect(change?.created).toBe(true)
    expect(change?.changedFields).toBeUndefined()
    return
  }
  if (JSON.stringify(server) === JSON.stringify(local) && !change) return
  expect(change, `${name}: an update`).toMatchObject({ op: 'put', value: local })
}

async function writeTo(target: Pick<StorageTransaction, 'put' | 'update' | 'delete'>, step: Write): Promise<void> {
  if (step.kind === 'put') await target.put('notes', { id: step.key, userId: 'u1', n: step.n })
  else if (step.kind === 'update') await target.update('notes', step.key, { [step.field]: step.n })
  else await target.delete('notes', step.key)
}

describe('outbox coalescing, property-based', () => {
  it('the coalesced pending set equals a simple model’s final state per key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 14 }), async (steps) => {
        const storage = await openTestStorage()
        const local = new LocalModel()
        const server = new Map<string, Value>()
        let ackLost = false
        const push = async (limit: number, during?: Write, lostAck = false) => {
          const read = await storage.outbox.read({ userId: 'u1', limit })
          expect(read.length).toBeLessThanOrEqual(limit)
          // As the engine does: creates are marked sent before the adapter sees them.
          await storage.outbox.markSent!(read.filter((change) => change.created))
          for (const change of read) applyToServer(server, change)
          if (during) {
            const valid = local.apply(during)
            expect(
              await writeTo(storage, during).then(
                () => true,
                () => false,
              ),
            ).toBe(valid)
          }
          // A lost ack: the backend applied the batch, the client never heard back.
          if (!lostAck) await storage.outbox.acknowledge(read)
          else ackLost ||= read.length > 0
          return read.length
        }
        try {
          for (const current of steps) {
            if (current.kind === 'clear') {
              await storage.clear('notes')
              local.records.clear()
            } else if (current.kind === 'transaction') {
              const draft = local.clone()
              const valid = current.writes.every((entry) => draft.apply(entry))
              const outcome = await storage
                .transaction(['notes'], async (tx) => {
                  for (const entry of current.writes) await writeTo(tx, entry)
                  if (current.fail) throw new Error('rolled back')
                })
                .then(
                  () => 'committed',
                  () => 'aborted',
                )
              expect(outcome).toBe(valid && !current.fail ? 'committed' : 'aborted')
              if (outcome === 'committed') local.records = draft.records
            } else if (current.kind === 'ack') {
              await push(current.limit, current.writeDuringPush, current.lostAck)
            } else {
              const valid = local.apply(current)
              expect(
                await writeTo(storage, current).then(
                  () => true,
                  () => false,
                ),
              ).toBe(valid)
            }
          }
          const pending = await storage.outbox.read({ userId: 'u1' })
          const byKey = new Map(pending.map((change) => [String(change.key), change]))
          for (const name of keys) {
            checkPending(name, server.get(name), local.records.get(name), byKey.get(name), ackLost)
            expect(await storage.get('notes', name)).toEqual(local.records.get(name))
          }
          expect(await storage.outbox.count()).toBe(pending.length)
          // Draining in small pages brings the server to exactly the local state.
          while ((await push(2)) > 0) {}
          expect(await storage.outbox.count()).toBe(0)
          for (const name of keys) expect(server.get(name), name).toEqual(local.records.get(name))
        } finally {
          storage.close()
        }
      }),
      { numRuns: 150 },
    )
  })
})
