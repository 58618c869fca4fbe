export * from './context'
export * from './scripted-server'
