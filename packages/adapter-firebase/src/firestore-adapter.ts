import type { SyncAdapter } from '@autosync/core'
import { backup, restore } from './backup'
import { subscribe } from './live'
import { type FirestoreAdapterOptions, resolveOptions } from './options'
import { pull } from './pull'
import { push } from './push'

/**
 * A `SyncAdapter` over the app's own Firestore (modular SDK): records as documents under each user's path,
 * two-way (pull by `_updatedAt`, conditional writes by `_rev`) and live (`onSnapshot` hints).
 *
 * @example
 * const adapter = firestoreAdapter({ firestore: getFirestore(app), tables: ['notes'] })
 */
export function firestoreAdapter(input: FirestoreAdapterOptions): SyncAdapter {
  const options = resolveOptions(input)
  return {
    name: options.name,
    specificationVersion: 'v1',
    capabilities: {
      maxBatchSize: 500,
      partialUpdates: true,
      pull: true,
      backup: true,
      live: true,
      conditionalWrites: true,
    },
    push: (batch, context) => push(options, batch, context),
    pull: (request, context) => pull(options, request, context),
    backup: (snapshot, context) => backup(options, snapshot, context),
    restore: (request, context) => restore(options, request, context),
    subscribe: (context, onHint) => subscribe(options, context, onHint),
  }
}
