import { expect, it } from 'vitest'
import { openTestStorage } from './test-helpers'

it('smoke', async () => {
  const storage = await openTestStorage()
  await storage.put('notes', { id: 'a', userId: 'u1', text: 'x' })
  await storage.update('notes', 'a', { text: 'y' })
  await storage.bulkPut(
    'notes',
    Array.from({ length: 20 }, (_, i) => ({ id: `b${i}`, userId: 'u1' })),
  )
  expect(await storage.get('notes', 'a')).toEqual({ id: 'a', userId: 'u1', text: 'y' })
  const pending = await storage.outbox.read({ userId: 'u1' })
  expect(pending.length).toBe(21)
  expect(pending[0]).toMatchObject({ op: 'put', created: true, value: { text: 'y' } })
  await storage.outbox.acknowledge(pending)
  expect(await storage.outbox.count()).toBe(0)
  storage.close()
})
