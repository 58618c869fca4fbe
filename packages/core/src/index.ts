export * from './errors'
export * from './storage/index'
export * from './sync/index'
export type * from './types'
