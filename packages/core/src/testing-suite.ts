// The conformance suite needs vitest; `@autosync/core/testing` stays loadable in any test runner without it.
export { type TestAdapterOptions, testAdapter } from './testing/test-adapter'
