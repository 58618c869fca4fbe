/**
 * Start time and memory of the server on its embedded default (SQLite through better-sqlite3), as a newcomer
 * meets it: a fresh `node dist/cli.js --db sqlite:<new file>` process, timed from spawn to its first
 * `GET /health` answer, with the process's resident memory then. Needs `npm run build` first.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

function residentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN)
  return kilobytes / 1024
}

async function startOnce(cli: string): Promise<{ milliseconds: number; megabytes: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'autosync-startup-'))
  const startedAt = performance.now()
  const child = spawn(process.execPath, [cli, '--db', `sqlite:${join(directory, 'data.db')}`, '--port', '0'], {
    env: { ...process.env, AUTOSYNC_SERVER_SECRET: 'startup-bench-secret-0123456789-abcdef' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = ''
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8')
        const match = /"event":"listening","url":"([^"]+)"/.exec(output)
        if (match) resolve(match[1]!)
      })
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)))
    })
    const health = await fetch(`${url}/health`)
    if (health.status !== 200) throw new Error(`health answered ${health.status}`)
    const milliseconds = performance.now() - startedAt
    return { milliseconds, megabytes: residentMegabytes(child.pid!) }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    rmSync(directory, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const cli = new URL('../../../dist/cli.js', import.meta.url).pathname
  const runs = []
  for (let run = 0; run < 5; run++) runs.push(await startOnce(cli))
  runs.sort((a, b) => a.milliseconds - b.milliseconds)
  const middle = runs[Math.floor(runs.length / 2)]!
  console.log('autosync-server on embedded SQLite (new database file), spawn to first /health answer, median of 5')
  console.log(`  start time   ${middle.milliseconds.toFixed(0)} ms (fastest ${runs[0]!.milliseconds.toFixed(0)} ms)`)
  console.log(`  memory (RSS) ${middle.megabytes.toFixed(1)} MB`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
