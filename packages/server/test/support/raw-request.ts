import { request } from 'node:http'
import type { JsonAnswer } from './harness'

/** An HTTP request with the path sent byte for byte (fetch would normalize `..` and `//`). */
export function rawRequest(
  baseUrl: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: JsonAnswer }> {
  const { hostname, port } = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: hostname,
      port,
      method: options.method,
      path: options.path,
      headers: options.headers,
    })
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: response.statusCode ?? 0, headers: response.headers, json: text ? JSON.parse(text) : null })
      })
    })
    outgoing.on('error', reject)
    outgoing.end(options.body)
  })
}
