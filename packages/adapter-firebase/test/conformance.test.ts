import { testAdapter } from '@autosync/core/testing/suite'
import { initializeApp } from 'firebase/app'
import { connectFirestoreEmulator, getFirestore, terminate } from 'firebase/firestore'
import { afterAll } from 'vitest'
import { firestoreAdapter } from '../src'
import { startEmulator } from './support/emulator'

const emulator = await startEmulator()
const app = initializeApp({ projectId: 'autosync-conformance', apiKey: 'test' }, 'conformance')
const firestore = getFirestore(app)
connectFirestoreEmulator(firestore, emulator.host, emulator.port)
afterAll(async () => {
  await terminate(firestore)
  emulator.stop()
})

testAdapter({
  name: 'firestoreAdapter on @firestore-emulator/server',
  createAdapter: () => firestoreAdapter({ firestore, tables: ['notes', 'tasks'] }),
  // Firestore has no HTTP statuses to inject: its error codes are mapped in errors.ts (tested on their own).
  skipFaults: [
    'http-401',
    'http-403',
    'http-404',
    'http-409',
    'http-413',
    'http-429',
    'http-500',
    'http-503',
    'timeout',
    'malformed-body',
  ],
})
