import { sqliteLane } from './support/backends'
import { describeSyncServerBehaviour } from './support/behaviour-suite'

describeSyncServerBehaviour(sqliteLane())
