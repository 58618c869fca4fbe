export { callPage } from './call-page'
export { type ChromiumSession, chromiumArguments, chromiumPath, launchChromium } from './launch'
export { type BundleServer, type BundleServerOptions, serveBundle } from './serve-bundle'
