import { createFakeClock } from '@autosync/core/testing'
import { testAdapter } from '@autosync/core/testing/suite'
import { createSyncServer, createTokenSigner, silentLogger } from '@autosync/server'
import { afterAll } from 'vitest'
import { restAdapter } from '../src'
import { startFaultProxy } from './support/fault-proxy'
import { postgresLane, sqliteLane } from './support/server-lanes'

// The same conformance suite against the real reference server, on its embedded database and on PostgreSQL,
// through a loopback proxy that injects backend faults.
const signer = createTokenSigner('adapter-rest-conformance-secret-0123456789')
const lanes = [sqliteLane(), await postgresLane()].filter((lane) => lane !== null)

for (const lane of lanes) {
  const server = createSyncServer({ store: lane.store, verifier: signer.verify, logger: silentLogger })
  const { url } = await server.listen(0, '127.0.0.1')
  const proxy = await startFaultProxy(url)
  afterAll(async () => {
    await proxy.close()
    await server.close()
    await lane.dispose()
  })

  testAdapter({
    name: `restAdapter on @autosync/server (${lane.name})`,
    createAdapter({ fault }) {
      // A held request times out when the proxy says it is holding it: no waiting on real time.
      const clock = createFakeClock()
      proxy.onHang = () => void clock.runNext()
      return restAdapter({
        baseUrl: proxy.url(fault),
        getToken: ({ userId }) => signer.sign(userId ?? 'anonymous'),
        clock,
      })
    },
  })
}
