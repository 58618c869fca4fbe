// `node --expose-gc bench/engine-run.mjs`: the engine pushing 100,000 pending changes to a no-op adapter.
import { runFromSource } from './run-from-source.mjs'

await runFromSource('./engine-push.ts', ['fake-indexeddb', 'fake-indexeddb/*'])
