import { describe, it } from 'vitest'
import { postgresLane } from './support/backends'
import { describeBadInput } from './support/bad-input-suite'
import { describeSyncServerBehaviour } from './support/behaviour-suite'
import { describeSyncStore } from './support/store-suite'

const behaviourLane = postgresLane('behaviour')
const badInputLane = postgresLane('bad_input')
const storeLane = postgresLane('store')
if (behaviourLane && badInputLane && storeLane) {
  describeSyncServerBehaviour(behaviourLane)
  describeBadInput(badInputLane)
  describeSyncStore(storeLane)
} else {
  describe.skip('sync server on postgres (AUTOSYNC_POSTGRES_URL unset)', () => it('runs the behavioural suite'))
}
