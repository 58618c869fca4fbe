import { PutObjectCommand } from '@aws-sdk/client-s3'
import { AwsClient } from 'aws4fetch'
import { afterAll, describe, expect, it } from 'vitest'
import { accessKeyId, bucket, secretAccessKey, startHarness } from './support/harness'

const harness = await startHarness()
afterAll(() => harness.close())

const signer = (secret = secretAccessKey) =>
  new AwsClient({ accessKeyId, secretAccessKey: secret, service: 's3', region: 'us-east-1', retries: 0 })
const objectUrl = (key: string) => `${harness.layer.url}/${bucket}/${key}`
const amzDate = (time: number) => new Date(time).toISOString().replace(/[:-]|\.\d{3}/g, '')

describe('the verifying layer in front of s3rver', () => {
  it('passes a correctly signed request and an AWS SDK request', async () => {
    const put = await signer().fetch(objectUrl('layer/ok.json'), { method: 'PUT', body: '{"a":1}' })
    expect(put.status).toBe(200)
    await harness.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'layer/sdk.json', Body: '{"b":2}' }))
    expect(await harness.read('layer/ok.json')).toEqual({ a: 1 })
    expect(await harness.keys('layer/')).toEqual(['layer/ok.json', 'layer/sdk.json'])
  })

  it('refuses a wrong secret with 403 SignatureDoesNotMatch (s3rver alone would accept it)', async () => {
    const response = await signer('wrong-secret').fetch(objectUrl('layer/bad.json'), { method: 'PUT', body: '{}' })
    expect(response.status).toBe(403)
    expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
    expect(await harness.keys('layer/bad')).toEqual([])
  })

  it('refuses an unknown key id and a clock skewed by more than 15 minutes', async () => {
    const unknown = await new AwsClient({ accessKeyId: 'NOPE', secretAccessKey, service: 's3' }).fetch(
      objectUrl('layer/x'),
    )
    expect(await unknown.text()).toContain('InvalidAccessKeyId')
    const skewed = await signer().fetch(objectUrl('layer/ok.json'), {
      aws: { datetime: amzDate(Date.now() - 16 * 60_000) },
    })
    expect(skewed.status).toBe(403)
    expect(await skewed.text()).toContain('RequestTimeTooSkewed')
    const slightly = await signer().fetch(objectUrl('layer/ok.json'), {
      aws: { datetime: amzDate(Date.now() - 14 * 60_000) },
    })
    expect(slightly.status).toBe(200)
  })

  it('enforces If-None-Match: * and If-Match with 412', async () => {
    const put = (headers: Record<string, string>, body: string) =>
      signer().fetch(objectUrl('layer/conditional.json'), { method: 'PUT', headers, body })
    expect((await put({ 'if-none-match': '*' }, '{"v":1}')).status).toBe(200)
    expect((await put({ 'if-none-match': '*' }, '{"v":2}')).status).toBe(412)
    expect(await harness.read('layer/conditional.json')).toEqual({ v: 1 })
    expect((await put({ 'if-match': '"not-the-etag"' }, '{"v":3}')).status).toBe(412)
    const head = await signer().fetch(objectUrl('layer/conditional.json'), { method: 'HEAD' })
    expect((await put({ 'if-match': head.headers.get('etag')! }, '{"v":4}')).status).toBe(200)
    expect(await harness.read('layer/conditional.json')).toEqual({ v: 4 })
  })

  it('verifies presigned URLs and refuses an expired one', async () => {
    const url = `${objectUrl('layer/presigned.json')}?X-Amz-Expires=60`
    const signed = await signer().sign(url, { method: 'PUT', aws: { signQuery: true } })
    expect((await fetch(signed.url, { method: 'PUT', body: '{"p":1}' })).status).toBe(200)
    const tampered = signed.url.replace('presigned.json', 'other.json')
    expect((await fetch(tampered, { method: 'PUT', body: '{}' })).status).toBe(403)
    const old = await signer().sign(url, {
      method: 'GET',
      aws: { signQuery: true, datetime: amzDate(Date.now() - 120_000) },
    })
    const expired = await fetch(old.url)
    expect(expired.status).toBe(403)
    expect(await expired.text()).toContain('expired')
  })

  it('injects failures, drops a response after storing, and makes listings loop', async () => {
    harness.layer.failNext((method) => method === 'PUT', { status: 503, code: 'SlowDown', retryAfter: '3' })
    const slow = await signer().fetch(objectUrl('layer/slow.json'), { method: 'PUT', body: '{}' })
    expect([slow.status, slow.headers.get('retry-after')]).toEqual([503, '3'])
    harness.layer.dropResponseAfterStoring((method, path) => method === 'PUT' && path.endsWith('lost.json'))
    await expect(signer().fetch(objectUrl('layer/lost.json'), { method: 'PUT', body: '{"l":1}' })).rejects.toThrow(
      TypeError,
    )
    expect(await harness.read('layer/lost.json')).toEqual({ l: 1 })
    harness.layer.state.loopListings = true
    try {
      const listing = await (await signer().fetch(`${harness.layer.url}/${bucket}?list-type=2&prefix=layer/`)).text()
      expect(listing).toContain('<NextContinuationToken>same-token-again</NextContinuationToken>')
    } finally {
      harness.layer.state.loopListings = false
    }
  })
})
