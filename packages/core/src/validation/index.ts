export { assertValidKey, utf8Length } from './key'
export { assertValidOptions, internalStorePrefix } from './options'
export { parseJsonSafely } from './safe-json'
export { isPlainObject, serializeRecord } from './value'
