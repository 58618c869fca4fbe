// Runs s3rver in its own process: it needs the OpenSSL legacy provider (NODE_OPTIONS) for paginated listings.
const S3rver = require('s3rver')
const { mkdtempSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')

const buckets = JSON.parse(process.argv[2] || '[]')
const cors = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedMethod>DELETE</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>`
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: mkdtempSync(join(tmpdir(), 'autosync-s3rver-')),
  resetOnClose: true,
  configureBuckets: buckets.map((name) => ({ name, configs: [cors] })),
})
server.run().then((address) => {
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`)
})
// The parent closing stdin (or exiting) ends this process, so a crashed test run leaves nothing behind.
process.stdin.on('end', () => server.close(() => process.exit(0)))
process.stdin.resume()
