import type { ListedObject } from './list'

/** Own segments kept for their echo (each at most `maxBatchSize` changes): a drain of 64 batches pulls no GET. */
const writtenSegments = 64
/** A kept listing serves the next page only this soon: later pages list again. */
const listingMs = 30_000

interface Listing {
  /** The user's folder and the cursor of the page it continues. */
  cursor: string
  objects: ListedObject[]
  truncated: boolean
  at?: number
}

/**
 * What the adapter remembers between calls to save requests: its own segments (a push comes back as its echo)
 * and the rest of a listing while core pulls page after page. Only hints: a miss lists or GETs.
 */
export function createRequestMemory(now: () => number) {
  const written = new Map<string, string>()
  let kept: Listing | undefined
  return {
    wrote(key: string, text: string): void {
      written.set(key, text)
      if (written.size > writtenSegments) written.delete(written.keys().next().value as string)
    },
    /** The text this adapter wrote at `key`, once: an echo is read back once. */
    takeWritten(key: string): string | undefined {
      const text = written.get(key)
      written.delete(key)
      return text
    },
    /** Keeps the listed objects not yet read for the page that continues from `listing.cursor`. */
    keepListing(listing?: Listing): void {
      kept = listing && { ...listing, at: now() }
    },
    listingFor(cursor: string): Listing | undefined {
      const listing = kept
      kept = undefined
      return listing?.cursor === cursor && now() - listing.at! < listingMs ? listing : undefined
    },
  }
}

export type RequestMemory = ReturnType<typeof createRequestMemory>
