import { describe, it } from 'vitest'
import { postgresLane } from './support/backends'
import { describeBadInput } from './support/bad-input-suite'
import { describeSyncServerBehaviour } from './support/behaviour-suite'

const behaviourLane = postgresLane('behaviour')
const badInputLane = postgresLane('bad_input')
if (behaviourLane && badInputLane) {
  describeSyncServerBehaviour(behaviourLane)
  describeBadInput(badInputLane)
} else {
  describe.skip('sync server on postgres (AUTOSYNC_POSTGRES_URL unset)', () => it('runs the behavioural suite'))
}
