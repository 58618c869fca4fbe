import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'

/** A failure the layer answers instead of forwarding. */
export interface InjectedFailure {
  status: number
  code?: string
  retryAfter?: string
  /** Hold the request forever (a timeout); `onHang` is called. */
  hang?: boolean
  /** 200 with an HTML body and no ETag, as a captive portal would. */
  malformed?: boolean
}

export interface Account {
  secretAccessKey: string
  /** Every request signed with this key gets this answer (conformance faults). */
  fault?: InjectedFailure
}

const skewLimitMs = 15 * 60_000

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`

function parseAmzDate(text: string): number {
  const match = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(text)
  if (!match) return Number.NaN
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[]
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!)
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/**
 * A verifying layer in front of s3rver: recomputes SigV4 (header or presigned query) with the AWS signer,
 * refuses skew > 15 minutes, enforces `If-None-Match: *` / `If-Match` with 412, and can inject failures,
 * drop a response after the object was stored, or make listings loop.
 */
export async function startVerifyingS3(target: string, options: { region?: string; now?: () => number } = {}) {
  const region = options.region ?? 'us-east-1'
  const accounts = new Map<string, Account>()
  const failures: { match: (method: string, path: string) => boolean; failure: InjectedFailure }[] = []
  const drops: ((method: string, path: string) => boolean)[] = []
  const locks = new Map<string, Promise<void>>()
  const state = {
    requests: 0,
    byMethod: {} as Record<string, number>,
    /** Requests by S3 operation: LIST, GET (an object), PUT, DELETE, HEAD, OPTIONS (a browser's CORS preflight). */
    byOperation: {} as Record<string, number>,
    loopListings: false,
    /** Answers 412 given so far (replays of a stored object). */
    preconditionFailures: 0,
    onHang: () => {},
    now: options.now ?? (() => Date.now()),
  }

  function forward(method: string, path: string, headers: Record<string, string>, body?: Buffer) {
    return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(`${target}${path}`, { method, headers }, async (incoming) => {
        const buffer = await readBody(incoming)
        const plain: Record<string, string> = {}
        for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') plain[name] = value
        resolve({ status: incoming.statusCode ?? 500, headers: plain, body: buffer })
      })
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  }

  async function verify(
    request: IncomingMessage,
    url: URL,
  ): Promise<{ error?: [number, string, string]; account?: Account }> {
    const query = new URLSearchParams(url.search)
    const presigned = query.has('X-Amz-Signature')
    let accessKeyId: string
    let amzDate: string
    let signedHeaders: string[]
    let signature: string
    if (presigned) {
      accessKeyId = (query.get('X-Amz-Credential') ?? '').split('/')[0]!
      amzDate = query.get('X-Amz-Date') ?? ''
      signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';')
      signature = query.get('X-Amz-Signature') ?? ''
    } else {
      const header = request.headers.authorization ?? ''
      const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/[^,]+, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
        header,
      )
      if (!match) return { error: [403, 'AccessDenied', 'Missing or malformed Authorization'] }
      accessKeyId = match[1]!
      signedHeaders = match[2]!.split(';')
      signature = match[3]!
      amzDate = String(request.headers['x-amz-date'] ?? '')
    }
    const account = accounts.get(accessKeyId)
    if (!account) return { error: [403, 'InvalidAccessKeyId', 'The AWS Access Key Id does not exist'] }
    const signingDate = parseAmzDate(amzDate)
    if (!presigned && !(Math.abs(signingDate - state.now()) <= skewLimitMs)) {
      return { error: [403, 'RequestTimeTooSkewed', 'The difference between the request time and now is too large'] }
    }
    const headers: Record<string, string> = {}
    for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '')
    const signedQuery: Record<string, string> = {}
    for (const [name, value] of query) if (!(presigned && name.startsWith('X-Amz-'))) signedQuery[name] = value
    if (presigned && query.has('X-Amz-Security-Token'))
      signedQuery['X-Amz-Security-Token'] = query.get('X-Amz-Security-Token')!
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey: account.secretAccessKey },
      region,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    })
    const [hostname, port] = (request.headers.host ?? '').split(':')
    const base = {
      method: request.method!,
      protocol: 'http:',
      hostname: hostname!,
      ...(port ? { port: Number(port) } : {}),
      path: url.pathname,
      query: signedQuery,
      headers,
    }
    let expected: string
    if (presigned) {
      const expiresIn = Number(query.get('X-Amz-Expires') ?? 0)
      if (signingDate + expiresIn * 1000 < state.now() || signingDate - state.now() > skewLimitMs) {
        return { error: [403, 'AccessDenied', 'Request has expired'] }
      }
      // Presigned S3 URLs sign an UNSIGNED-PAYLOAD hash; the header only tells the signer so and is not signed.
      const signed = await signer.presign(
        { ...base, headers: { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
        {
          signingDate: new Date(signingDate),
          expiresIn,
          unsignableHeaders: new Set(['x-amz-content-sha256']),
          unhoistableHeaders: new Set(['x-amz-content-sha256']),
        },
      )
      expected = String(signed.query?.['X-Amz-Signature'])
    } else {
      const signed = await signer.sign(base, { signingDate: new Date(signingDate) })
      expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? ''
    }
    if (expected !== signature)
      return { error: [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match'] }
    return { account }
  }

  async function withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve()
    let release!: () => void
    const current = new Promise<void>((resolve) => {
      release = resolve
    })
    locks.set(
      key,
      previous.then(() => current),
    )
    await previous
    try {
      return await work()
    } finally {
      release()
    }
  }

  function answerFailure(response: ServerResponse, failure: InjectedFailure) {
    if (failure.hang) {
      state.onHang()
      return
    }
    if (failure.malformed) {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in to the Wi-Fi</html>')
      return
    }
    const headers: Record<string, string> = { 'content-type': 'application/xml' }
    if (failure.retryAfter) headers['retry-after'] = failure.retryAfter
    response.writeHead(failure.status, headers).end(xmlError(failure.code ?? 'InjectedFailure', 'injected by the test'))
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    state.requests++
    const method = request.method ?? 'GET'
    state.byMethod[method] = (state.byMethod[method] ?? 0) + 1
    const url = new URL(request.url ?? '/', 'http://placeholder')
    const operation = method === 'GET' && url.searchParams.get('list-type') === '2' ? 'LIST' : method
    state.byOperation[operation] = (state.byOperation[operation] ?? 0) + 1
    const body = await readBody(request)
    const passHeaders: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') passHeaders[name] = value
    if (method === 'OPTIONS') {
      // Preflights carry no credentials; s3rver answers them from the bucket's CORS rules (without the presigned query).
      const answer = await forward(method, url.pathname, passHeaders)
      response.writeHead(answer.status, answer.headers).end(answer.body)
      return
    }
    const verdict = await verify(request, url)
    const cors = request.headers.origin
      ? { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag' }
      : {}
    if (verdict.error) {
      response
        .writeHead(verdict.error[0], { 'content-type': 'application/xml', ...cors })
        .end(xmlError(verdict.error[1], verdict.error[2]))
      return
    }
    if (verdict.account?.fault) return answerFailure(response, verdict.account.fault)
    const injected = failures.findIndex((entry) => entry.match(method, url.pathname))
    if (injected >= 0) return answerFailure(response, failures.splice(injected, 1)[0]!.failure)

    // Forward without the signature: s3rver would otherwise check it with its own fixed credentials.
    const forwardQuery = new URLSearchParams(url.search)
    for (const name of [...forwardQuery.keys()]) if (name.startsWith('X-Amz-')) forwardQuery.delete(name)
    // A looping listing answers its own bogus token with the first page again, as a broken server would.
    if (state.loopListings) forwardQuery.delete('continuation-token')
    const search = forwardQuery.size ? `?${forwardQuery.toString().replace(/\+/g, '%20')}` : ''
    const headers: Record<string, string> = {
      'content-type': passHeaders['content-type'] ?? 'application/octet-stream',
    }
    if (body.length) headers['content-length'] = String(body.length)
    const answer = await withLock(url.pathname, async () => {
      if (method === 'PUT' && (request.headers['if-none-match'] || request.headers['if-match'])) {
        const head = await forward('HEAD', url.pathname, {})
        const exists = head.status === 200
        if (request.headers['if-none-match'] === '*' && exists) {
          state.preconditionFailures++
          return {
            status: 412,
            headers: {},
            body: Buffer.from(
              xmlError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold'),
            ),
          }
        }
        const ifMatch = request.headers['if-match']
        if (ifMatch && (!exists || head.headers.etag !== ifMatch))
          return { status: 412, headers: {}, body: Buffer.from(xmlError('PreconditionFailed', 'ETag mismatch')) }
      }
      return forward(method, url.pathname + search, headers, body.length ? body : undefined)
    })
    let answerBody = answer.body
    if (state.loopListings && method === 'GET' && forwardQuery.get('list-type') === '2') {
      answerBody = Buffer.from(
        answer.body
          .toString()
          .replace(/<IsTruncated>false<\/IsTruncated>/, '<IsTruncated>true</IsTruncated>')
          .replace(/<NextContinuationToken>[^<]*<\/NextContinuationToken>/, '')
          .replace(
            '</ListBucketResult>',
            '<NextContinuationToken>same-token-again</NextContinuationToken></ListBucketResult>',
          ),
      )
    }
    const drop = drops.findIndex((matches) => matches(method, url.pathname))
    if (drop >= 0 && answer.status < 300) {
      drops.splice(drop, 1)
      // Stored, but the client never hears so: a lost acknowledgement.
      request.socket.destroy()
      return
    }
    const {
      'content-length': _length,
      'transfer-encoding': _encoding,
      connection: _connection,
      ...rest
    } = answer.headers
    response.writeHead(answer.status, { ...rest, ...cors }).end(answerBody)
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/xml' }).end(xmlError('InternalError', String(error)))
    })
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    accounts,
    state,
    /** The next request whose method and path match gets `failure` instead of being forwarded. */
    failNext(match: (method: string, path: string) => boolean, failure: InjectedFailure) {
      failures.push({ match, failure })
    },
    /** The next matching request is stored, then its connection is cut before the answer. */
    dropResponseAfterStoring(match: (method: string, path: string) => boolean) {
      drops.push(match)
    },
    close() {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export type VerifyingS3 = Awaited<ReturnType<typeof startVerifyingS3>>
