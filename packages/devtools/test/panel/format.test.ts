import { describe, expect, it } from 'vitest'
import { displayText, formatAge, formatCountdown, formatDuration, previewValue, redact } from '../../src/panel/format'

describe('redact', () => {
  it.each([
    ['Authorization: Bearer eyJhbGciOi.abc-def_ghi', 'eyJhbGciOi'],
    ['failed: bearer abc.def', 'abc.def'],
    ['GET https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef01&x=1', 'deadbeef01'],
    ['GET https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=deadbeef01', 'AKIA'],
    ['https://cdn.example/file?Signature=s3cr3t&Expires=1', 's3cr3t'],
    ['https://api.example/sync?token=t0k3n#x', 't0k3n'],
    ['https://api.example/sync?access_token=t0k3n', 't0k3n'],
    ['headers {"Authorization":"Basic dXNlcjpwYXNz"}', 'dXNlcjpwYXNz'],
  ])('hides the secret in %s', (text, secret) => {
    expect(redact(text)).not.toContain(secret)
    expect(redact(text)).toContain('[redacted]')
  })

  it('leaves ordinary text alone', () => {
    const text = 'POST /sync answered 503 for notes/n1 (Retry-After 5)'
    expect(redact(text)).toBe(text)
  })

  it('redacts before cutting a long text to a preview', () => {
    const text = `${'a'.repeat(150)} Bearer ${'s'.repeat(200)}`
    const shown = displayText(text, 160)
    expect(shown).not.toContain('sssss')
    expect(shown.length).toBeLessThan(200)
    expect(displayText('x'.repeat(1_000_000)).length).toBeLessThan(300)
  })
})

describe('time formatting', () => {
  it('formats durations, ages and countdowns', () => {
    expect(formatDuration(250)).toBe('250 ms')
    expect(formatDuration(4_000)).toBe('4.0 s')
    expect(formatDuration(45_000)).toBe('45 s')
    expect(formatDuration(185_000)).toBe('3 min 05 s')
    expect(formatDuration(7_800_000)).toBe('2 h 10 min')
    expect(formatAge(1_000, 1_500)).toBe('just now')
    expect(formatAge(1_000, 31_000)).toBe('30 s ago')
    expect(formatAge(null, 0)).toBe('—')
    expect(formatCountdown(10_000, 5_000)).toBe('in 5.0 s')
    expect(formatCountdown(5_000, 5_000)).toBe('due now')
  })
})

describe('previewValue', () => {
  it('applies sanitize before showing and survives unserializable values', () => {
    const value = { id: 'n1', email: 'a@example.com', title: 'T' }
    const sanitized = previewValue(value, (input) => ({ ...(input as object), email: '•••' }))
    expect(sanitized).toContain('•••')
    expect(sanitized).not.toContain('a@example.com')
    const circular: Record<string, unknown> = {}
    circular.self = circular
    expect(previewValue(circular, undefined)).toBe('[unpreviewable value]')
    expect(previewValue(undefined, undefined)).toBe('—')
  })
})
