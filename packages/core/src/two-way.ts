// Two-way sync is opt-in: a push-only app never loads this entry.

export { type TwoWayOptions, twoWay } from './two-way/plugin'
export {
  type Conflict,
  type ConflictResolver,
  clientWins,
  lastWriteWins,
  mergeFields,
  serverWins,
} from './two-way/resolvers'
