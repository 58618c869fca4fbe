import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../../src/http/retry-after'

const now = Date.parse('2026-11-26T12:00:00Z')

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['7', 7_000],
    [' 120 ', 120_000],
    ['1.5', 1_500],
    ['Thu, 26 Nov 2026 12:00:30 GMT', 30_000],
    ['Thu, 26 Nov 2026 11:59:00 GMT', 0],
    ['Thursday, 26-Nov-26 12:01:00 GMT', 60_000],
  ])('%j → %i ms', (header, milliseconds) => {
    expect(parseRetryAfter(header, now)).toBe(milliseconds)
  })

  it.each([null, '', '   ', 'soon', 'NaN', 'Thu, 99 Nov', '-5', 'Thu, 26 Nov 2026 25:61:00 GMT'])(
    '%j → no timing',
    (header) => {
      expect(parseRetryAfter(header, now)).toBeUndefined()
    },
  )
})
