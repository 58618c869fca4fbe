import { type ChildProcess, spawn } from 'node:child_process'

export interface DemoProcess {
  origin: string
  port: number
  kill(signal?: NodeJS.Signals): Promise<void>
}

/** Runs the built demo server in its own process so a test can kill it like a crash would. */
export function startDemoProcess(options: {
  serverFile: string
  publicDir: string
  database: string
  port: number
  cwd: string
}) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      options.serverFile,
      '--port',
      String(options.port),
      '--db',
      options.database,
      '--public',
      options.publicDir,
      '--quiet',
    ],
    { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  return new Promise<DemoProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /running at (http:\/\/127\.0\.0\.1:(\d+))\//.exec(output)
      if (!match) return
      child.stdout?.off('data', onData)
      const exited = new Promise<void>((done) => child.once('exit', () => done()))
      resolve({
        origin: match[1] as string,
        port: Number(match[2]),
        kill: async (signal = 'SIGKILL') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          await exited
        },
      })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`demo server exited early (${code}):\n${output}`)))
  })
}
