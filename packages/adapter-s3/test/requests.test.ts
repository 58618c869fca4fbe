import { twoWay } from '@autosync/core/two-way'
import { afterAll, describe, expect, it } from 'vitest'
import { s3Adapter } from '../src'
import { openDevice } from './support/device'
import { accessKeyId, bucket, secretAccessKey, startHarness } from './support/harness'

const harness = await startHarness()
afterAll(() => harness.close())

const adapter = () =>
  s3Adapter({ bucket, endpoint: harness.layer.url, credentials: { accessKeyId, secretAccessKey }, maxBatchSize: 2 })

/** Counts the S3 operations `action` sends through the verifying layer. */
async function operations(action: () => Promise<unknown>) {
  const before = { ...harness.layer.state.byOperation }
  await action()
  const counted: Record<string, number> = {}
  for (const [operation, count] of Object.entries(harness.layer.state.byOperation)) {
    if (count !== (before[operation] ?? 0)) counted[operation] = count - (before[operation] ?? 0)
  }
  return counted
}

describe('requests per change', () => {
  it('reads its own pushed segments back from memory, and lists once for a pull of many pages', async () => {
    const userId = 'requests'
    const writer = await openDevice(adapter(), userId, [twoWay({ pageSize: 2 })])
    const reader = await openDevice(adapter(), userId, [twoWay({ pageSize: 2 })])
    try {
      await writer.storage.bulkPut(
        'notes',
        Array.from({ length: 6 }, (_, index) => ({ id: `n${index}`, userId, text: 'x' })),
      )
      const push = await operations(() => writer.autoSync.syncNow())
      // Three segments; the echo pull after the push reads them from memory, not with a GET each.
      expect(push.PUT).toBe(3)
      expect(push.GET ?? 0).toBe(0)

      let pulls = 0
      let pages = 0
      reader.autoSync.on('pull-started', () => pulls++)
      reader.autoSync.subscribe((status) => {
        pages = Math.max(pages, status.pullProgress?.pages ?? 0)
      })
      const pull = await operations(() => reader.autoSync.pull())
      // Three pages of two changes in the first pull: one listing of the log and one of the compactions serve
      // every page of a pull (the attempt pulls again after its push, which lists again and finds nothing).
      expect(pages).toBe(3)
      expect(pull).toEqual({ LIST: 2 * pulls, GET: 3 })
      expect(Object.keys(await reader.notes()).sort()).toEqual(['n0', 'n1', 'n2', 'n3', 'n4', 'n5'])
    } finally {
      await writer.close()
      await reader.close()
    }
  })
})
