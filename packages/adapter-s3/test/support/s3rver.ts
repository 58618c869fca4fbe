import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** Starts s3rver on 127.0.0.1 in a child process with the given buckets (CORS open for browser tests). */
export async function startS3rver(
  buckets: string[],
  /** The child script; benchmarks bundled elsewhere pass its path. */
  script = require.resolve('./s3rver-process.cjs'),
): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [script, JSON.stringify(buckets)], {
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let output = ''
  for await (const chunk of child.stdout!) {
    output += String(chunk)
    if (output.includes('\n')) break
  }
  const { port } = JSON.parse(output) as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.stdin!.end()
      await exited
    },
  }
}
