// The values the adapter takes from @autosync/core, imported in one place (one import statement in the bundle).
export { AdapterError, parseJsonSafely, ValidationError } from '@autosync/core'
export { classifyHttpStatus, parseRetryAfter } from '@autosync/core/http'
