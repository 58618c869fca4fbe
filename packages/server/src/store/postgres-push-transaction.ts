import type pg from 'pg'
import { type RecordRow, toStoredRecord } from './record-row'
import type { PushTransaction, StoredRecord } from './sync-store'
import { recordAddress } from './sync-store'

/** A statement with a `name` is parsed and planned once per connection; one without is planned on each run. */
export interface Statement {
  name?: string
  text: string
}

export type PushStatements = ReturnType<typeof pushStatements>

/**
 * The push statements of one schema. Only writes are named: a reused generic plan of a read, chosen while its
 * table was small, would keep scanning the table once it is large.
 */
export function pushStatements(s: string) {
  return {
    // The user's row lock holds until commit: one push per user at a time, on every instance.
    lock: {
      name: 'autosync-lock-user',
      text: `INSERT INTO ${s}.users (user_id) VALUES ($1) ON CONFLICT (user_id) DO UPDATE SET last_push_at = now()`,
    },
    findBatch: {
      text: `SELECT request_hash, response FROM ${s}.batches WHERE user_id = $1 AND batch_id = $2`,
    },
    // LATERAL ... LIMIT 1 keeps one primary-key probe per wanted row: joined freely, stale statistics (a new or
    // fast-growing table) make the planner scan and hash all of the user's rows instead.
    readState: {
      text: `SELECT
        (SELECT json_agg(json_build_array(wanted.change_id, found.rejected))
          FROM json_array_elements_text($2::json) AS wanted(change_id)
          CROSS JOIN LATERAL (SELECT applied.rejected FROM ${s}.applied_changes applied
            WHERE applied.user_id = $1 AND applied.change_id = wanted.change_id LIMIT 1) found) AS applied,
        (SELECT json_agg(found)
          FROM ROWS FROM (json_array_elements_text($3::json), json_array_elements_text($4::json))
            AS wanted(table_name, record_key)
          CROSS JOIN LATERAL (SELECT stored.table_name, stored.record_key, stored.value,
              stored.revision::text AS revision, stored.change_id, stored.client_seqs, stored.written_at
            FROM ${s}.records stored WHERE stored.user_id = $1 AND stored.table_name = wanted.table_name
              AND stored.record_key = wanted.record_key LIMIT 1) found) AS records`,
    },
    // Revisions are per user (the user's row, locked for the push, keeps the last one): one user's revisions say
    // nothing about another's activity. A user from before (one sequence for everyone) continues above their highest
    // revision. The k-th record takes the k-th new revision. Records the transaction saw absent (under the user's
    // lock) take a plain insert, which skips ON CONFLICT's speculative insertion; any other record is upserted.
    writeRecords: {
      name: 'autosync-write-records',
      text: `WITH allocated AS MATERIALIZED (
          UPDATE ${s}.users SET last_revision = COALESCE(last_revision,
              (SELECT max(revision) FROM ${s}.records WHERE user_id = $1), 0) + jsonb_array_length($4::jsonb)
          WHERE user_id = $1 RETURNING last_revision - jsonb_array_length($4::jsonb) AS before),
        written AS MATERIALIZED (
          SELECT rows.table_name, rows.record_key, NULLIF(rows.value, 'null'::jsonb) AS value, rows.change_id,
            rows.client_seqs, rows.absent::boolean AS absent, rows.written_at::bigint AS written_at, position,
            (SELECT before FROM allocated) + position AS revision
          FROM ROWS FROM (json_array_elements_text($2::json), json_array_elements_text($3::json),
              jsonb_array_elements($4::jsonb), json_array_elements_text($5::json), json_array_elements_text($6::json),
              json_array_elements_text($7::json), json_array_elements_text($8::json))
            WITH ORDINALITY AS rows(table_name, record_key, value, change_id, client_seqs, absent, written_at, position)),
        inserted AS (
          INSERT INTO ${s}.records (user_id, table_name, record_key, value, revision, change_id, client_seqs, written_at)
          SELECT $1, table_name, record_key, value, revision, change_id, client_seqs, written_at FROM written WHERE absent),
        upserted AS (
          INSERT INTO ${s}.records (user_id, table_name, record_key, value, revision, change_id, client_seqs, written_at)
          SELECT $1, table_name, record_key, value, revision, change_id, client_seqs, written_at FROM written WHERE NOT absent
          ON CONFLICT (user_id, table_name, record_key) DO UPDATE SET value = excluded.value,
            revision = excluded.revision, change_id = excluded.change_id, client_seqs = excluded.client_seqs,
            written_at = excluded.written_at)
        SELECT revision::text AS revision FROM written ORDER BY position`,
    },
    // Change ids seen unapplied take a plain insert too; others may have been applied before.
    finishBatch: {
      name: 'autosync-finish-batch',
      text: `WITH unapplied AS (
          INSERT INTO ${s}.applied_changes (user_id, change_id) SELECT $1, json_array_elements_text($2::json)),
        unknown AS (
          INSERT INTO ${s}.applied_changes (user_id, change_id) SELECT $1, json_array_elements_text($3::json)
          ON CONFLICT DO NOTHING),
        refused AS (
          INSERT INTO ${s}.applied_changes (user_id, change_id, rejected)
          SELECT $1, refused.change_id, refused.code FROM json_to_recordset($8::json) AS refused(change_id text, code text)
          ON CONFLICT DO NOTHING)
        INSERT INTO ${s}.batches (user_id, batch_id, request_hash, response, created_at)
        SELECT $1, $4, $5, $6, COALESCE(to_timestamp($7::float8 / 1000), now())
        -- Delivered at commit to every instance listening: their live streams of this user hear of the push.
        FROM (SELECT pg_notify($9, json_build_array($1::text, $10::text)::text)) AS notified`,
    },
  }
}

/**
 * The operations of one push on a connection in pipeline mode. Each statement is sent at once and awaited after
 * `opened` (BEGIN and the user's lock), so a caller that starts several operations together gets them answered in
 * one round trip. The transaction remembers what `readState` found absent: the lock keeps it absent until commit.
 */
export function createPostgresPushTransaction(
  client: pg.PoolClient,
  statements: PushStatements,
  userId: string,
  opened: Promise<unknown>,
  /** The NOTIFY channel of this schema (see `commitChannel`). */
  channel: string,
): PushTransaction {
  const absentAddresses = new Set<string>()
  const unappliedChangeIds = new Set<string>()

  async function run<Row extends pg.QueryResultRow>(statement: Statement, values: unknown[]) {
    const pending = client.query<Row>({ ...statement, values })
    // A statement queued behind a failed BEGIN or lock fails only because of it: report the lock's error.
    pending.catch(() => undefined)
    await opened
    return pending
  }

  return {
    async findBatch(batchId) {
      const result = await run<{ request_hash: string; response: string }>(statements.findBatch, [userId, batchId])
      const row = result.rows[0]
      return row ? { batchId, requestHash: row.request_hash, response: row.response } : null
    },
    async readState(changeIds, addresses) {
      const result = await run<{ applied: [string, string | null][] | null; records: RecordRow[] | null }>(
        statements.readState,
        [
          userId,
          JSON.stringify(changeIds),
          JSON.stringify(addresses.map((address) => address.table)),
          JSON.stringify(addresses.map((address) => address.key)),
        ],
      )
      const row = result.rows[0]
      const applied = new Set<string>()
      const rejected = new Map<string, string>()
      for (const [changeId, code] of row?.applied ?? []) {
        applied.add(changeId)
        if (code) rejected.set(changeId, code)
      }
      const records = new Map<string, StoredRecord>()
      for (const found of row?.records ?? []) {
        records.set(recordAddress(found.table_name, found.record_key), toStoredRecord(found))
      }
      for (const changeId of changeIds) {
        if (applied.has(changeId)) unappliedChangeIds.delete(changeId)
        else unappliedChangeIds.add(changeId)
      }
      for (const { table, key } of addresses) {
        const address = recordAddress(table, key)
        if (records.has(address)) absentAddresses.delete(address)
        else absentAddresses.add(address)
      }
      return { applied, rejected, records }
    },
    async writeRecords(records) {
      if (records.length === 0) return []
      const tables: string[] = []
      const keys: string[] = []
      // Values are already JSON text: they join the array as they are, never re-escaped.
      const values: string[] = []
      const changeIds: string[] = []
      const clientSeqs: string[] = []
      const absent: boolean[] = []
      const writtenAt: string[] = []
      for (const record of records) {
        writtenAt.push(String(record.timestamp))
        tables.push(record.table)
        keys.push(record.key)
        values.push(record.valueText ?? 'null')
        changeIds.push(record.changeId)
        clientSeqs.push(JSON.stringify(record.clientSeqs))
        // Written once, the record exists: a second write in this transaction must upsert.
        absent.push(absentAddresses.delete(recordAddress(record.table, record.key)))
      }
      const written = await run<{ revision: string }>(statements.writeRecords, [
        userId,
        JSON.stringify(tables),
        JSON.stringify(keys),
        `[${values.join(',')}]`,
        JSON.stringify(changeIds),
        JSON.stringify(clientSeqs),
        JSON.stringify(absent),
        JSON.stringify(writtenAt),
      ])
      return written.rows.map((row) => row.revision)
    },
    async finishBatch(appliedChangeIds, batch, rejected = []) {
      const unapplied: string[] = []
      const unknown: string[] = []
      for (const changeId of new Set(appliedChangeIds)) {
        if (unappliedChangeIds.delete(changeId)) unapplied.push(changeId)
        else unknown.push(changeId)
      }
      await run(statements.finishBatch, [
        userId,
        JSON.stringify(unapplied),
        JSON.stringify(unknown),
        batch.batchId,
        batch.requestHash,
        batch.response,
        batch.createdAt ?? null,
        JSON.stringify(rejected.map(({ changeId, code }) => ({ change_id: changeId, code }))),
        channel,
        batch.clientId ?? '',
      ])
    },
  }
}
