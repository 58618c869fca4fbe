import { ValidationError } from '@autosync/core'
import { describe, expect, it } from 'vitest'
import { encodeSegment, objectUrl, userFolder } from '../src/keys'
import { resolveOptions } from '../src/options'

const credentials = { accessKeyId: 'id', secretAccessKey: 'secret' }

describe('keys', () => {
  it('percent-encodes everything outside [A-Za-z0-9._~-], byte by byte', () => {
    expect(encodeSegment('aZ0._~-')).toBe('aZ0._~-')
    expect(encodeSegment('a/b?c#d %')).toBe('a%2Fb%3Fc%23d%20%25')
    expect(encodeSegment('é')).toBe('%C3%A9')
  })

  it('builds path-style URLs for a custom endpoint and virtual-hosted ones on AWS', () => {
    const path = resolveOptions({ bucket: 'my-bucket', endpoint: 'http://127.0.0.1:9000/', credentials })
    const folder = userFolder(path, 'u 1')
    expect(objectUrl(path, folder, `${folder}/log/x.json`)).toBe(
      'http://127.0.0.1:9000/my-bucket/autosync/u%201/log/x.json',
    )
    const aws = resolveOptions({ bucket: 'my-bucket', region: 'eu-west-1', prefix: 'apps/notes', credentials })
    expect(objectUrl(aws, userFolder(aws, 'u1'), 'apps/notes/u1/log/x.json')).toBe(
      'https://my-bucket.s3.eu-west-1.amazonaws.com/apps/notes/u1/log/x.json',
    )
    const r2 = resolveOptions({
      bucket: 'b12',
      endpoint: 'https://acc.r2.cloudflarestorage.com',
      pathStyle: false,
      credentials,
    })
    expect(objectUrl(r2, 'autosync/u', 'autosync/u/log/a.json')).toBe(
      'https://b12.acc.r2.cloudflarestorage.com/autosync/u/log/a.json',
    )
  })

  it('refuses a key that leaves the user folder and user ids that cannot name one', () => {
    const options = resolveOptions({ bucket: 'my-bucket', endpoint: 'http://127.0.0.1:9000', credentials })
    const folder = userFolder(options, 'alice')
    expect(() => objectUrl(options, folder, 'autosync/alice/../bob/log/x.json')).toThrow(ValidationError)
    // One prefix: ValidationError adds "[autosync] " itself.
    expect(() => objectUrl(options, folder, 'autosync/bob/log/x.json')).toThrow(
      /^\[autosync\] \[s3\] object key leaves the user's folder$/,
    )
    for (const userId of ['', '.', '..', 'a/b', 'a\\b', '\u0007', 'x'.repeat(257)]) {
      expect(() => userFolder(options, userId)).toThrow(ValidationError)
    }
    expect(() => userFolder(options, null)).toThrow(ValidationError)
  })

  it('needs exactly one of credentials and presign, and a valid bucket name', () => {
    expect(() => resolveOptions({ bucket: 'ok-bucket' })).toThrow(/exactly one/)
    expect(() => resolveOptions({ bucket: 'ab', credentials })).toThrow(/bucket/)
  })
})
