import type { AdapterFaultName } from '@autosync/core/testing'
import { createFakeClock } from '@autosync/core/testing'
import { testAdapter } from '@autosync/core/testing/suite'
import { afterAll } from 'vitest'
import { s3Adapter } from '../src'
import { bucket, secretAccessKey, startHarness } from './support/harness'
import type { InjectedFailure } from './support/verifying-s3'

// The conformance suite against s3rver behind the verifying layer. Each fault is an account whose every
// request gets that answer, so the adapter under test is otherwise identical.
const harness = await startHarness()
afterAll(() => harness.close())

const faults: Record<AdapterFaultName, InjectedFailure> = {
  'http-401': { status: 401, code: 'Unauthorized' },
  'http-403': { status: 403, code: 'AccessDenied' },
  'http-404': { status: 404, code: 'NoSuchKey' },
  'http-409': { status: 409, code: 'OperationAborted' },
  'http-413': { status: 413, code: 'EntityTooLarge' },
  'http-429': { status: 429, code: 'TooManyRequests', retryAfter: '7' },
  'http-500': { status: 500, code: 'InternalError' },
  'http-503': { status: 503, code: 'ServiceUnavailable' },
  timeout: { status: 0, hang: true },
  'malformed-body': { status: 200, malformed: true },
}
for (const [name, fault] of Object.entries(faults))
  harness.layer.accounts.set(`FAULT-${name}`, { secretAccessKey, fault })

testAdapter({
  name: 's3Adapter on s3rver behind the verifying layer',
  createAdapter({ fault }) {
    const clock = createFakeClock({ start: Date.now() })
    // A held request times out when the layer says it is holding it: no waiting on real time.
    harness.layer.state.onHang = () => void clock.runNext()
    const name = !fault ? undefined : fault.type === 'http' ? `http-${fault.status}` : fault.type
    return s3Adapter({
      bucket,
      endpoint: harness.layer.url,
      credentials: { accessKeyId: name ? `FAULT-${name}` : 'AKIDAUTOSYNCTEST', secretAccessKey },
      clock: { ...clock, now: () => Date.now() },
    })
  },
})
