import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AwsV4Signer } from 'aws4fetch'
import type { S3PresignRequest } from '../../src'
import { encodeSegment } from '../../src/keys'
import { accessKeyId, bucket, secretAccessKey } from './harness'

/**
 * The app backend's presigning endpoint: the caller names its user with a bearer token (a stand-in for a
 * session), and only URLs under `autosync/{that user}/` are signed, for 60 seconds.
 */
export function presignHandler(target: string, onSigned: () => void = () => {}) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const wanted = JSON.parse(Buffer.concat(chunks).toString()) as S3PresignRequest
    const userId = (request.headers.authorization ?? '').replace(/^Bearer /, '')
    const url = new URL(wanted.url)
    const folder = `autosync/${encodeSegment(userId)}/`
    const objectPath = `/${bucket}/${folder}`
    const listing =
      url.pathname === `/${bucket}/` && (url.searchParams.get('prefix') ?? '').startsWith(decodeURIComponent(folder))
    if (!userId || url.origin !== target || !(url.pathname.startsWith(objectPath) || listing)) {
      response.writeHead(403).end('{"error":"not yours"}')
      return
    }
    url.searchParams.set('X-Amz-Expires', '60')
    const signer = new AwsV4Signer({
      method: wanted.method,
      url: url.toString(),
      accessKeyId,
      secretAccessKey,
      service: 's3',
      region: 'us-east-1',
      signQuery: true,
    })
    const result = await signer.sign()
    onSigned()
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: result.url.toString() }))
  }
}

export async function startPresignEndpoint(target: string) {
  let signed = 0
  const handle = presignHandler(target, () => signed++)
  const server = createServer((request, response) => void handle(request, response))
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    signedCount: () => signed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
