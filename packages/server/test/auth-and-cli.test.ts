import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { developmentSecret, resolveServerSecret } from '../src/auth/server-secret'
import { createTokenSigner } from '../src/auth/token-signer'
import { parseCliArguments } from '../src/cli/parse-arguments'
import { runCli } from '../src/cli/run-cli'
import type { LogEntry } from '../src/logger'
import { createSqliteStore } from '../src/store/sqlite-store'
import type { SyncStore } from '../src/store/sync-store'
import { startTestServer, type TestServer } from './support/harness'

const secret = 'cli-secret-0123456789abcdef'

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

  it('refuses short secrets', () => {
    expect(() => createTokenSigner('short')).toThrow(/at least 16/)
  })
})

describe('server secret', () => {
  it('reads AUTOSYNC_SERVER_SECRET, falls back to the development secret with a warning, refuses production', () => {
    const warnings: LogEntry[] = []
    const logger = { info() {}, warn: (entry: LogEntry) => warnings.push(entry), error() {} }
    expect(resolveServerSecret({ env: { AUTOSYNC_SERVER_SECRET: secret }, logger })).toBe(secret)
    expect(warnings).toEqual([])
    expect(resolveServerSecret({ env: {}, logger })).toBe(developmentSecret)
    expect(warnings).toHaveLength(1)
    expect(() => resolveServerSecret({ env: { NODE_ENV: 'production' }, logger })).toThrow(
      /AUTOSYNC_SERVER_SECRET is required/,
    )
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
    expect(() => parseCliArguments(['--verbose', 'yes'])).toThrow(/unknown option/)
    expect(() => parseCliArguments(['token'])).toThrow(/userId/)
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
