import { expect, it } from 'vitest'
import { createFakeClock } from '../../src/testing/fake-clock'
import { createFaultyAdapter } from '../../src/testing/faulty-adapter'
import { createMemoryAdapter } from '../../src/testing/memory-adapter'

it('fires timers in time order and lets awaited work settle between them', async () => {
  const clock = createFakeClock({ start: 100 })
  const log: string[] = []
  clock.setTimeout(async () => {
    await Promise.resolve()
    log.push(`a@${clock.now()}`)
    clock.setTimeout(() => log.push(`c@${clock.now()}`), 5)
  }, 10)
  const cancelled = clock.setTimeout(() => log.push('never'), 12)
  clock.setTimeout(() => log.push(`b@${clock.now()}`), 20)
  clock.clearTimeout(cancelled)
  expect(clock.pending()).toBe(2)
  await clock.advance(14)
  expect(log).toEqual(['a@110'])
  expect(clock.now()).toBe(114)
  await clock.advance(6)
  expect(log).toEqual(['a@110', 'c@115', 'b@120'])
  clock.setTimeout(() => log.push('d'), 1_000)
  clock.setTimeout(() => log.push('e'), 2_000)
  expect(await clock.runNext()).toBe(true)
  expect(log.at(-1)).toBe('d')
  expect(clock.now()).toBe(1_120)
  await clock.runAll()
  expect(await clock.runNext()).toBe(false)
  expect(clock.now()).toBe(2_120)
  expect(clock.pending()).toBe(0)
})

it('injects the same faults for the same seed', async () => {
  const run = async (seed: number) => {
    const inner = createMemoryAdapter()
    const adapter = createFaultyAdapter(inner, { seed, failureRate: 0.5 })
    const outcomes: string[] = []
    for (let index = 0; index < 40; index++) {
      const change = {
        changeId: `c:${index}`,
        table: 't',
        key: index,
        op: 'put' as const,
        value: {},
        seq: index,
        timestamp: 0,
      }
      const batch = { batchId: `b${index}`, clientId: 'c', userId: 'u', changes: [change] }
      const signal = new AbortController().signal
      outcomes.push(
        await adapter.push(batch, { signal, userId: 'u', clientId: 'c', logger: console }).then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      )
    }
    return { outcomes, applied: inner.applied.length, faults: adapter.faults }
  }
  const first = await run(7)
  expect(await run(7)).toEqual(first)
  expect(await run(8)).not.toEqual(first)
  const failed = first.outcomes.filter((outcome) => outcome !== 'ok').length
  expect(failed).toBeGreaterThan(8)
  expect(failed).toBeLessThan(32)
  // Lost acks were applied although the push failed.
  expect(first.applied).toBe(first.outcomes.filter((outcome) => outcome === 'ok').length + first.faults['ack-lost'])
})
