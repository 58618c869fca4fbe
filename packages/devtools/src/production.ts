export { mountDevtools, mountDevtools as default } from './mount'
export type { DevtoolsHandle, DevtoolsOptions, DevtoolsPosition } from './options'
