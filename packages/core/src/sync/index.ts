export { browserNetwork, consoleLogger, mathRandom, silentLogger, systemClock } from '../runtime/defaults'
export { createAutoSync } from './auto-sync'
export { type ExponentialBackoffOptions, exponentialBackoff } from './backoff'
export { skipForeignUsers, skipTables } from './plugins'
