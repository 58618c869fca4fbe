export { createFakeClock, type FakeClock, type FakeClockOptions } from './fake-clock'
export { type AdapterFault, type AdapterFaultName, conformanceKeys } from './faults'
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
  type RemoteWrite,
} from './memory-adapter'
