export { firestoreAdapter } from './firestore-adapter'
export type { FirestoreAdapterOptions } from './options'
