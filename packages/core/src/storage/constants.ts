/** Internal object stores, next to the app's tables in the same database. */
export const outboxStore = '__autosync_outbox'
export const metadataStore = '__autosync_meta'
export const deadLetterStore = '__autosync_dead_letters'

/**
 * Versions (`seq`) are `entryId * versionsPerEntry + index`: the outbox entry id comes from the
 * store's key generator (persisted, never reused, serialized across tabs by IndexedDB), and each
 * change of the entry gets its own version. Larger transactions are split over several entries.
 */
export const versionsPerEntry = 65_536

/**
 * Most changes in one outbox entry. A sync reads and rewrites whole entries, so entries near the push
 * batch size keep each read and acknowledgement proportional to the batch, not to the bulk write;
 * equal to the default batch size (500), a drained batch deletes whole entries instead of rewriting them.
 */
export const changesPerEntry = 500
