import { runPullApply } from './pull-apply'

// Chromium side of the pull bench: the runner calls this through page.evaluate.
Object.assign(window, {
  runPullApply: (changes: number, pageSize: number) =>
    runPullApply({ factory: indexedDB, now: () => performance.now(), changes, pageSize }),
  benchReady: true,
})
