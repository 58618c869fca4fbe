import { describe, it } from 'vitest'
import { postgresLane, sqliteLane } from './support/backends'
import { describeHardening } from './support/hardening-suite'

describeHardening(sqliteLane())

const postgres = postgresLane('hardening')
if (postgres) describeHardening(postgres)
else describe.skip('hardening on postgres (AUTOSYNC_POSTGRES_URL unset)', () => it('runs the hardening suite'))
