import { describe, expect, it } from 'vitest'
import { classifyHttpStatus } from '../../src/http/status'

describe('classifyHttpStatus: the one status table adapters share', () => {
  it.each([
    [401, 'auth', false],
    [403, 'auth', false],
    [404, 'protocol', true],
    [408, 'timeout', true],
    [409, 'conflict', false],
    [429, 'rate-limited', true],
    [500, 'server', true],
    [502, 'server', true],
    [503, 'server', true],
    [400, 'rejected', false],
    [413, 'rejected', false],
    [422, 'rejected', false],
  ])('%i → %s (retryable %s)', (status, kind, retryable) => {
    expect(classifyHttpStatus(status)).toEqual({ kind, retryable })
  })
})
