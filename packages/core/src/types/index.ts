export type * from './adapter'
export type * from './runtime'
export type * from './storage'
export type * from './sync'
