import 'fake-indexeddb/auto'
import { describeChaosPart } from './chaos-run'

// CHAOS_SEED=<n> replays one seed (in part 1).
describeChaosPart(1)
