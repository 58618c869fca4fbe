/** Where the two-way entry finds the engine's and the storage's internals; `Symbol.for` survives duplicated bundles. */
export const internals = Symbol.for('autosync.internals')
