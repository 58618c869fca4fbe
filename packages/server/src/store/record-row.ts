import type { StoredRecord } from './sync-store'

/** A `records` row as either driver returns it: SQLite gives JSON text and numbers, pg parsed JSON and strings. */
export interface RecordRow {
  table_name: string
  record_key: string
  value: string | Record<string, unknown> | null
  revision: string | number | bigint
  change_id: string
  client_seqs: string
  written_at: string | number | bigint
}

export function toStoredRecord(row: RecordRow): StoredRecord {
  return {
    table: row.table_name,
    key: row.record_key,
    value: typeof row.value === 'string' ? (JSON.parse(row.value) as Record<string, unknown>) : row.value,
    revision: String(row.revision),
    changeId: row.change_id,
    timestamp: Number(row.written_at),
    clientSeqs: JSON.parse(row.client_seqs) as Record<string, number>,
  }
}
