// Chromium side of the push bench: the runner calls these through page.evaluate, over the browser's IndexedDB.
import { measureAdapterOnly, measureCeiling, measureThroughCore } from './measure'

const pushBench = { ceiling: measureCeiling, throughCore: measureThroughCore, adapterOnly: measureAdapterOnly }

export type PushBench = typeof pushBench

Object.assign(window, { pushBench, benchReady: true })
