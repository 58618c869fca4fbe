export { parseJsonSafely } from '../validation/safe-json'
export { openStorage } from './open-storage'
