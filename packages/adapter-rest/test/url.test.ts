import { describe, expect, it } from 'vitest'
import { buildUrl, describeUrl } from '../src/url'

const base = new URL('https://api.example.com/v1/sync/')

describe('buildUrl', () => {
  it('encodes every segment and stays under the base path', () => {
    expect(buildUrl(base, ['notes', 'a/b?c#d%e'])?.href).toBe('https://api.example.com/v1/sync/notes/a%2Fb%3Fc%23d%25e')
    expect(buildUrl(base, ['my table', '日本'])?.href).toBe(
      'https://api.example.com/v1/sync/my%20table/%E6%97%A5%E6%9C%AC',
    )
    expect(buildUrl(base, ['notes', '...'])?.href).toBe('https://api.example.com/v1/sync/notes/...')
    expect(buildUrl(base, ['notes', 'http://evil.example/x'])?.origin).toBe('https://api.example.com')
  })

  it.each([[['..']], [['.']], [['notes', '']], [['notes', '..', '..']], [['notes', 7]], [[null]]])(
    'refuses %j',
    (segments) => {
      expect(buildUrl(base, segments)).toBeUndefined()
    },
  )

  it('describes a URL without its query', () => {
    expect(describeUrl(new URL('https://api.example.com/pull?cursor=secret&key=abc'))).toBe(
      'https://api.example.com/pull',
    )
  })
})
