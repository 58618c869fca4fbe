/** Where the two-way entry finds the engine's and the storage's internals; `Symbol.for` survives duplicated bundles. */
export const engineInternals = Symbol.for('autosync.engine')
export const storageInternals = Symbol.for('autosync.storage')
