import { testAdapter } from '@autosync/core/testing/suite'
import { terminate } from 'firebase/firestore'
import { afterAll } from 'vitest'
import { firestoreAdapter } from '../src'
import { startEmulator } from './support/emulator'
import { firestoreOn } from './support/firestore'

const emulator = await startEmulator()
const firestore = firestoreOn(emulator)
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
