#!/usr/bin/env node
import { runCli } from './cli/run-cli'

runCli(process.argv.slice(2)).then(
  (running) => {
    if (!running) return
    const stop = () => {
      running.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      )
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
