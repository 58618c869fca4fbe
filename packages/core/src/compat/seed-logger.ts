import type { Logger } from '../types'

/**
 * The seed's console output: its four messages ("Auto-sync service: Syncing X changes to cloud...", "... Sync
 * completed successfully", "... Sync failed (X/Y): reason", "... Event listeners set up") print by default.
 */
export const seedLogger: Logger = {
  debug: () => {},
  info: (...parts) => console.log(...parts),
  warn: (...parts) => console.warn(...parts),
  error: (...parts) => console.error(...parts),
}
