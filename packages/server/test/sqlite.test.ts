import { sqliteLane } from './support/backends'
import { describeBadInput } from './support/bad-input-suite'
import { describeSyncServerBehaviour } from './support/behaviour-suite'
import { describeSyncStore } from './support/store-suite'

describeSyncServerBehaviour(sqliteLane())

describeBadInput(sqliteLane())

describeSyncStore(sqliteLane())
