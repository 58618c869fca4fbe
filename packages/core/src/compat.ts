export * from './compat/index'
