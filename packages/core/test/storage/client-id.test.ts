import { describe, expect, it } from 'vitest'
import { randomUuid } from '../../src/runtime/uuid'

const version4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('client ids', () => {
  it('are version 4 UUIDs where randomUUID is missing (insecure contexts), from all 16 random bytes', () => {
    const getRandomValues = <T extends ArrayBufferView | null>(array: T): T => crypto.getRandomValues(array as never)
    const ids = Array.from({ length: 64 }, () => randomUuid({ getRandomValues }))
    for (const id of ids) expect(id).toMatch(version4)
    expect(new Set(ids).size).toBe(64)
    // Every byte counts: an all-0xff source still yields the version and variant bits and full-range hex.
    const allOnes = <T extends ArrayBufferView | null>(array: T): T => {
      new Uint8Array((array as unknown as Uint8Array).buffer).fill(0xff)
      return array
    }
    const full = randomUuid({ getRandomValues: allOnes })
    expect(full).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
  })

  it('come from randomUUID where there is one', () => {
    expect(randomUuid({ getRandomValues: () => null as never, randomUUID: () => 'given' })).toBe('given')
  })
})
