import { sqliteLane } from './support/backends'
import { describeBadInput } from './support/bad-input-suite'
import { describeSyncServerBehaviour } from './support/behaviour-suite'

describeSyncServerBehaviour(sqliteLane())

describeBadInput(sqliteLane())
