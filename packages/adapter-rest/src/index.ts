export type { RestAdapterOptions, TokenRequest } from './options'
export { restAdapter } from './rest-adapter'
