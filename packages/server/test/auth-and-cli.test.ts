import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { developmentSecret, resolveServerSecret } from '../src/auth/server-secret'
import { createTokenSigner } from '../src/auth/token-signer'
import { parseCliArguments, usage } from '../src/cli/parse-arguments'
import { runCli } from '../src/cli/run-cli'
import type { LogEntry } from '../src/logger'
import { createSyncServer } from '../src/server'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { startTestServer, type TestServer } from './support/harness'

const secret = 'cli-secret-0123456789abcdef-0123456789'

describe('HMAC token signer', () => {
  it('signs and verifies, refusing tampering, other secrets and expiry', () => {
    let now = 1_800_000_000_000
    const signer = createTokenSigner(secret, { now: () => now })
    const token = signer.sign('user-1', { expiresInSeconds: 60 })
    expect(signer.verify(token)).toEqual({ userId: 'user-1' })
    expect(createTokenSigner(`${secret}x`, { now: () => now }).verify(token)).toBeNull()
    const [payload, signature] = token.split('.') as [string, string]
    const otherPayload = Buffer.from(JSON.stringify({ sub: 'admin', iat: 0, exp: 9e9 })).toString('base64url')
    expect(signer.verify(`${otherPayload}.${signature}`)).toBeNull()
    expect(signer.verify(`${payload}.${signature}.extra`)).toBeNull()
    expect(signer.verify(`${payload}.`)).toBeNull()
    now += 60_000
    expect(signer.verify(token)).toBeNull()
  })

  it('refuses secrets under 32 bytes', () => {
    expect(() => createTokenSigner('short')).toThrow(/at least 32 bytes/)
    expect(() => createTokenSigner('x'.repeat(31))).toThrow(/at least 32 bytes/)
    expect(() => createTokenSigner('x'.repeat(32))).not.toThrow()
  })

  it('accepts exactly one spelling of a token', () => {
    const signer = createTokenSigner(secret)
    const token = signer.sign('user-1')
    expect(signer.verify(token)).toEqual({ userId: 'user-1' })
    const [payload, signature] = token.split('.') as [string, string]
    // Flipping the unused low bits of the last character decodes to the same bytes: still refused.
    const last = signature.at(-1)!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sameBytes = [...alphabet].filter(
      (other) =>
        other !== last &&
        Buffer.from(`${signature.slice(0, -1)}${other}`, 'base64url').equals(Buffer.from(signature, 'base64url')),
    )
    expect(sameBytes.length).toBeGreaterThan(0)
    for (const other of sameBytes) expect(signer.verify(`${payload}.${signature.slice(0, -1)}${other}`)).toBeNull()
    for (const suffix of ['*', '!!', '=', ' ', '\n']) expect(signer.verify(`${token}${suffix}`)).toBeNull()
    expect(signer.verify(`${payload}=.${signature}`)).toBeNull()
  })
})

describe('server secret', () => {
  const quiet = { info() {}, warn() {}, error() {} }

  it('reads AUTOSYNC_SERVER_SECRET, falls back to the development secret on loopback with a warning, refuses production', () => {
    const warnings: LogEntry[] = []
    const logger = { info() {}, warn: (entry: LogEntry) => warnings.push(entry), error() {} }
    expect(resolveServerSecret({ env: { AUTOSYNC_SERVER_SECRET: secret }, logger })).toBe(secret)
    expect(warnings).toEqual([])
    expect(resolveServerSecret({ env: {}, logger })).toBe(developmentSecret)
    for (const host of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.1.2.3']) {
      expect(resolveServerSecret({ env: {}, logger, host })).toBe(developmentSecret)
    }
    expect(warnings.length).toBeGreaterThan(0)
    expect(() => resolveServerSecret({ env: { NODE_ENV: 'production' }, logger })).toThrow(/NODE_ENV=production/)
  })

  it('never serves the development secret beyond loopback, whatever NODE_ENV says', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'example.org']) {
      for (const env of [{}, { NODE_ENV: 'development' }, { NODE_ENV: 'test' }]) {
        expect(() => resolveServerSecret({ env, logger: quiet, host })).toThrow(/AUTOSYNC_SERVER_SECRET.*--secret-file/)
      }
    }
    expect(resolveServerSecret({ env: { AUTOSYNC_SERVER_SECRET: secret }, host: '0.0.0.0' })).toBe(secret)
  })

  it('refuses an empty or short secret everywhere, loopback included', () => {
    expect(() => resolveServerSecret({ env: { AUTOSYNC_SERVER_SECRET: '' } })).toThrow(/empty/)
    expect(() => resolveServerSecret({ env: { AUTOSYNC_SERVER_SECRET: 'short-secret' } })).toThrow(/too short/)
  })

  it('reads --secret-file (one trailing newline dropped) and refuses a short one', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'autosync-secret-'))
    try {
      await writeFile(join(folder, 'secret'), `${secret}\n`)
      await writeFile(join(folder, 'short'), 'tiny\n')
      expect(resolveServerSecret({ env: {}, secretFile: join(folder, 'secret'), host: '0.0.0.0' })).toBe(secret)
      expect(() => resolveServerSecret({ env: {}, secretFile: join(folder, 'short') })).toThrow(/too short/)
      const printed: string[] = []
      await runCli(['token', 'file-user', '--secret-file', join(folder, 'secret')], {
        env: {},
        print: (text) => printed.push(text),
      })
      expect(createTokenSigner(secret).verify(printed[0]!)).toMatchObject({ userId: 'file-user' })
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  })

  it('a server on another host without a secret refuses to start (CLI and createSyncServer)', async () => {
    await expect(
      runCli(['--db', 'sqlite::memory:', '--port', '0', '--host', '0.0.0.0'], { env: {}, logger: quiet }),
    ).rejects.toThrow(/reachable from other machines.*AUTOSYNC_SERVER_SECRET/)
    const store = createSqliteStore()
    const previous = process.env.AUTOSYNC_SERVER_SECRET
    delete process.env.AUTOSYNC_SERVER_SECRET
    try {
      const server = createSyncServer({ store, logger: quiet })
      await expect(server.listen(0, '0.0.0.0')).rejects.toThrow(/reachable from other machines/)
      const local = await server.listen(0, '127.0.0.1')
      expect(local.port).toBeGreaterThan(0)
      await server.close()
    } finally {
      if (previous !== undefined) process.env.AUTOSYNC_SERVER_SECRET = previous
      await store.close()
    }
  })
})

describe('CLI', () => {
  it('parses serve and token commands and refuses mistakes', () => {
    expect(parseCliArguments([])).toEqual({
      command: 'serve',
      db: 'sqlite:./autosync-data.db',
      port: 8787,
      host: '127.0.0.1',
      corsOrigin: [],
      batchRetentionDays: 7,
    })
    expect(
      parseCliArguments([
        '--db',
        'postgres://x@h/db',
        '--port',
        '9000',
        '--cors-origin',
        'http://127.0.0.1:5173',
        '--batch-retention-days',
        '30',
      ]),
    ).toMatchObject({
      db: 'postgres://x@h/db',
      port: 9000,
      corsOrigin: ['http://127.0.0.1:5173'],
      batchRetentionDays: 30,
    })
    expect(() => parseCliArguments(['--batch-retention-days', '0'])).toThrow(/positive/)
    expect(parseCliArguments(['token', 'u1', '--expires', '60'])).toEqual({
      command: 'token',
      userId: 'u1',
      expiresInSeconds: 60,
    })
    expect(() => parseCliArguments(['--port', 'eighty'])).toThrow(/--port/)
    expect(() => parseCliArguments(['--verbose', 'yes'])).toThrow(/unknown option --verbose/)
    expect(() => parseCliArguments(['--bogus'])).toThrow(/unknown option --bogus/)
    expect(() => parseCliArguments(['--db'])).toThrow(/--db needs a value/)
    expect(() => parseCliArguments(['token', 'u1', '--bogus'])).toThrow(/unknown option --bogus/)
    expect(parseCliArguments(['--secret-file', '/run/secret'])).toMatchObject({ secretFile: '/run/secret' })
    expect(() => parseCliArguments(['token'])).toThrow(/userId/)
  })

  it('--help lists every --db form, sqlite::memory: included', () => {
    expect(parseCliArguments(['--help'])).toEqual({ command: 'help' })
    expect(usage).toContain('sqlite::memory:')
    expect(usage).toContain('--secret-file')
  })

  it('prints a token the server accepts (round trip through HTTP)', async () => {
    const printed: string[] = []
    await runCli(['token', 'cli-user', '--expires', '120'], {
      env: { AUTOSYNC_SERVER_SECRET: secret },
      print: (text) => printed.push(text),
    })
    expect(printed).toHaveLength(1)
    const running = await runCli(['--db', 'sqlite::memory:', '--port', '0'], {
      env: { AUTOSYNC_SERVER_SECRET: secret },
      logger: { info() {}, warn() {}, error() {} },
    })
    try {
      const pull = await fetch(`${running!.url}/pull`, { headers: { authorization: `Bearer ${printed[0]}` } })
      expect(pull.status).toBe(200)
      const wrong = await fetch(`${running!.url}/pull`, { headers: { authorization: `Bearer ${printed[0]}x` } })
      expect(wrong.status).toBe(401)
    } finally {
      await running!.stop()
    }
  })

  it('refuses to start in production without a secret', async () => {
    await expect(
      runCli(['--db', 'sqlite::memory:', '--port', '0'], { env: { NODE_ENV: 'production' } }),
    ).rejects.toThrow(/AUTOSYNC_SERVER_SECRET/)
  })
})

describe('CORS', () => {
  let store: SyncStore
  let server: TestServer
  beforeAll(async () => {
    store = createSqliteStore()
    server = await startTestServer(store, { corsOrigin: 'http://127.0.0.1:5173' })
  })
  afterAll(async () => {
    await server.close()
    await store.close()
  })

  it('answers a preflight for Authorization, Idempotency-Key and Content-Type from the allowed origin', async () => {
    const response = await fetch(`${server.url}/push`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Idempotency-Key')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
  })

  it('sets no CORS headers for another origin', async () => {
    const response = await fetch(`${server.url}/health`, { headers: { origin: 'http://evil.example' } })
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    const allowed = await fetch(`${server.url}/health`, { headers: { origin: 'http://127.0.0.1:5173' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5173')
  })
})
