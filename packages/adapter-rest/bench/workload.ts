// The bench's records and ready batches, built the same way in Node and in the Chromium page.
import type { Change, PushBatch } from '@autosync/core'

export const batchSize = 500

export interface Note extends Record<string, unknown> {
  id: string
  userId: string
  text: string
  updatedAt: number
}

export function makeNotes(count: number, run: number): Note[] {
  // ~200 bytes per record, so a batch of 500 is a ~100 KB body.
  return Array.from({ length: count }, (_, index) => ({
    id: `note-${run}-${index}`,
    userId: 'bench',
    text: `Benchmark note ${index} `.padEnd(150, 'x'),
    updatedAt: 1_700_000_000_000 + index,
  }))
}

/** The same records as ready push batches, as core would hand them to an adapter. */
export function makeBatches(count: number, clientId: string, run: number): PushBatch[] {
  const notes = makeNotes(count, run)
  const batches: PushBatch[] = []
  for (let start = 0; start < notes.length; start += batchSize) {
    const changes: Change[] = notes.slice(start, start + batchSize).map((value, index) => ({
      changeId: `${clientId}:${start + index + 1}`,
      table: 'notes',
      key: value.id,
      op: 'put',
      value,
      seq: start + index + 1,
      timestamp: value.updatedAt,
    }))
    batches.push({ batchId: `${clientId}-${start}`, clientId, userId: 'bench', changes })
  }
  return batches
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}
