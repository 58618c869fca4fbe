import { describe, it } from 'vitest'
import { describeAbuse } from './support/abuse-suite'
import { postgresLane, sqliteLane } from './support/backends'

describeAbuse(sqliteLane())

const postgres = postgresLane('abuse')
if (postgres) describeAbuse(postgres)
else describe.skip('abuse on postgres (AUTOSYNC_POSTGRES_URL unset)', () => it('runs the abuse suite'))
