import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'

// scripts/start-postgres.sh must fail loudly: `.ci/run` relies on it to stop the run instead of skipping the Postgres lanes.
const script = fileURLToPath(new URL('../../../scripts/start-postgres.sh', import.meta.url))
const postgresInstalled = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').length > 0

let busy: Server
let busyPort = 0
beforeAll(async () => {
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  busyPort = (busy.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())))

it.skipIf(!postgresInstalled)(
  'exits non-zero with a clear message, and makes `eval "$(...)"` fail, when the cluster cannot start',
  () => {
    const environment = { ...process.env, AUTOSYNC_POSTGRES_PORT: String(busyPort) }
    const direct = spawnSync(script, { env: environment, encoding: 'utf8' })
    expect(direct.status).not.toBe(0)
    expect(direct.stderr).toContain(
      `[autosync] start-postgres: the PostgreSQL server did not start on 127.0.0.1:${busyPort}`,
    )
    expect(direct.stdout).not.toContain('AUTOSYNC_POSTGRES_URL')

    const evaluated = spawnSync('bash', ['-c', `eval "$(${script} 2>/dev/null)"`], {
      env: environment,
      encoding: 'utf8',
    })
    expect(evaluated.status).not.toBe(0)
  },
  60_000,
)

it.skipIf(!postgresInstalled)(
  'scripts/stop-postgres.sh (next to the start command in the README) stops the cluster it started and removes it',
  () => {
    const stop = fileURLToPath(new URL('../../../scripts/stop-postgres.sh', import.meta.url))
    const started = spawnSync('bash', ['-c', `eval "$(${script})" && echo "$AUTOSYNC_POSTGRES_DATA" && ${stop}`], {
      env: { ...process.env, AUTOSYNC_POSTGRES_PORT: '' },
      encoding: 'utf8',
    })
    expect(started.status).toBe(0)
    const data = started.stdout.split('\n')[0]!
    expect(data).toMatch(/^\/tmp\/autosync-pg-[^/]+\/cluster$/)
    expect(started.stdout).toContain('stopped and removed the scratch cluster')
    expect(existsSync(data)).toBe(false)
    const refused = spawnSync(stop, {
      env: { ...process.env, AUTOSYNC_POSTGRES_DATA: '/var/lib/postgresql' },
      encoding: 'utf8',
    })
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toContain('is not a scratch cluster')
  },
  60_000,
)
