import { runWorkloads, type WorkloadOptions } from './workload'

// Chromium side of `npm run bench`: the runner calls this through page.evaluate.
;(window as { runBench?: (options: Partial<WorkloadOptions>) => unknown }).runBench = (options) =>
  runWorkloads({ factory: indexedDB, now: () => performance.now(), ...options })
;(window as { benchReady?: boolean }).benchReady = true
