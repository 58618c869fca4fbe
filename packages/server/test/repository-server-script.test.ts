import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

// The root README starts the server with `npm run server -- ...`: it must build the package first, since
// the workspace bin is not linked in a fresh clone (dist/ did not exist at `npm install`).
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url))

it('`npm run server -- token u1` at the repository root builds the server and runs its CLI', () => {
  const result = spawnSync('npm', ['run', '--silent', 'server', '--', 'token', 'u1'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    env: { ...process.env, AUTOSYNC_SERVER_SECRET: 'a-test-secret-of-enough-length-0123456789' },
  })
  expect(result.status, result.stderr).toBe(0)
  const token = result.stdout.trim().split('\n').at(-1) ?? ''
  expect(token).toMatch(/^[\w-]+\.[\w-]+$/)
  expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'))).toMatchObject({ sub: 'u1' })
}, 120_000)
