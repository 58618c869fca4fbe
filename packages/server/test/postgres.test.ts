import { describe, it } from 'vitest'
import { postgresLane } from './support/backends'
import { describeSyncServerBehaviour } from './support/behaviour-suite'

const lane = postgresLane('postgres')
if (lane) describeSyncServerBehaviour(lane)
else describe.skip('sync server on postgres (AUTOSYNC_POSTGRES_URL unset)', () => it('runs the behavioural suite'))
