import type { Logger, Storage } from '../types'

export interface Counts {
  pending: number
  /** `undefined` unless dead letters were counted too. */
  deadLetters?: number | undefined
  /** The latest captured version when this count started: the count includes everything up to it. */
  coveredSeq: number
}

/**
 * Reads the persisted counts of one user; calls made while a read runs fold into one more read, so a burst
 * of captures costs two reads, not one per write.
 */
export function createPendingCounter(
  storage: Storage,
  currentUser: () => string | null,
  latestSeq: () => number,
  onCounts: (counts: Counts) => void,
  logger: Logger,
) {
  let running: Promise<void> | undefined
  let again = false
  let withDeadLetters = false
  const count = (deadLetters = true): Promise<void> => {
    withDeadLetters ||= deadLetters
    if (running) {
      again = true
      return running
    }
    const userId = currentUser()
    const coveredSeq = latestSeq()
    const deadLetterCount = withDeadLetters ? storage.deadLetters.count({ userId }) : undefined
    withDeadLetters = false
    running = Promise.all([storage.outbox.count({ userId }), deadLetterCount])
      .then(([pending, dead]) => {
        if (userId === currentUser()) onCounts({ pending, deadLetters: dead, coveredSeq })
      })
      .catch((error) =>
        // The status keeps its last counts; the next capture or attempt counts again.
        logger.warn(
          '[autosync] [sync] counting the pending changes and dead letters failed; the status shows the last counts',
          error,
        ),
      )
      .finally(() => {
        running = undefined
        if (again) {
          again = false
          void count(false)
        }
      })
    return running
  }
  return count
}
