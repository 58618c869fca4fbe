// Chromium side of the push bench: the runner's calls arrive over HTTP (page-rpc.ts), run over the browser's IndexedDB.
import { measureAdapterOnly, measureCeiling, measureThroughCore } from './measure'
import { servePageCalls } from './page-rpc'

const pushBench = { ceiling: measureCeiling, throughCore: measureThroughCore, adapterOnly: measureAdapterOnly }

export type PushBench = typeof pushBench

void servePageCalls('/rpc/', pushBench)
