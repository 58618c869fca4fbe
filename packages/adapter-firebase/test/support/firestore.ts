import { initializeApp } from 'firebase/app'
import { connectFirestoreEmulator, getFirestore } from 'firebase/firestore'
import type { startEmulator } from './emulator'

let apps = 0

/** A Firestore instance of its own (its own SDK cache and streams) on the emulator: one per simulated device. */
export function firestoreOn(emulator: Awaited<ReturnType<typeof startEmulator>>) {
  const app = initializeApp({ projectId: 'autosync-test', apiKey: 'test' }, `device-${++apps}`)
  const firestore = getFirestore(app)
  connectFirestoreEmulator(firestore, emulator.host, emulator.port)
  return firestore
}
