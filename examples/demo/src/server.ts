import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { silentLogger } from '@autosync/server'
import { startDemoServer } from './demo-server'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    db: { type: 'string', default: 'sqlite:./.data/demo.db' },
    public: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
})

const here = dirname(fileURLToPath(import.meta.url))
if (values.db.startsWith('sqlite:') && !values.db.includes(':memory:')) {
  mkdirSync(dirname(values.db.slice('sqlite:'.length)), { recursive: true })
}
const server = await startDemoServer({
  publicDir: values.public ?? join(here, 'public'),
  database: values.db,
  port: Number(values.port),
  host: values.host,
  ...(values.quiet ? { logger: silentLogger } : {}),
}).catch((error: NodeJS.ErrnoException) => {
  // A busy port is the usual first-run problem: say what to do instead of printing a stack trace.
  if (error.code !== 'EADDRINUSE') throw error
  console.error(`\n  [autosync] [demo] port ${values.port} is in use, set PORT (for example PORT=8081 npm run demo)\n`)
  process.exit(1)
})
console.log(
  `\n  autosync demo running at ${server.url}\n  (sync server at ${server.url}api, database ${values.db}; Ctrl-C to stop)\n`,
)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void server.close().then(() => process.exit(0)))
}
