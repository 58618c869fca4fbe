export { createFakeClock, type FakeClock, type FakeClockOptions } from './fake-clock'
export {
  createFaultyAdapter,
  type FaultKind,
  type FaultyAdapter,
  type FaultyAdapterOptions,
  seededRandom,
} from './faulty-adapter'
export {
  type AppliedChange,
  createMemoryAdapter,
  type MemoryAdapter,
  type MemoryAdapterOptions,
} from './memory-adapter'
export {
  type AdapterFault,
  type AdapterFaultName,
  conformanceKeys,
  type TestAdapterOptions,
  testAdapter,
} from './test-adapter'
