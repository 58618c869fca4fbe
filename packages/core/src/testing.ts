export * from './testing/index'
