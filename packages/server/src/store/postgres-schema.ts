const schemaNamePattern = /^[a-z_][a-z0-9_]{0,62}$/

/** A quoted, validated schema name: only `[a-z_][a-z0-9_]*` reaches SQL. */
export function quoteSchema(schema: string): string {
  if (!schemaNamePattern.test(schema)) {
    throw new TypeError(
      `[autosync] [server] postgres schema must match ${schemaNamePattern}, got ${JSON.stringify(schema)}`,
    )
  }
  return `"${schema}"`
}

/** DDL run on start under an advisory lock, so several instances can start at once. Idempotent. */
export function migrationSql(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE SEQUENCE IF NOT EXISTS ${s}.revisions AS bigint;
CREATE TABLE IF NOT EXISTS ${s}.users (
  user_id text PRIMARY KEY, last_push_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS ${s}.records (
  user_id text NOT NULL, table_name text NOT NULL, record_key text NOT NULL, value jsonb,
  revision bigint NOT NULL, change_id text NOT NULL, client_seqs text NOT NULL,
  PRIMARY KEY (user_id, table_name, record_key));
CREATE INDEX IF NOT EXISTS records_by_revision ON ${s}.records (user_id, revision);
ALTER TABLE ${s}.records ADD COLUMN IF NOT EXISTS written_at bigint NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS ${s}.applied_changes (
  user_id text NOT NULL, change_id text NOT NULL, PRIMARY KEY (user_id, change_id));
ALTER TABLE ${s}.applied_changes ADD COLUMN IF NOT EXISTS rejected text;
-- Records carry each client's highest applied seq: rows of applied changes from before are no longer needed.
DELETE FROM ${s}.applied_changes WHERE rejected IS NULL;
ALTER TABLE ${s}.users ADD COLUMN IF NOT EXISTS last_revision bigint;
CREATE TABLE IF NOT EXISTS ${s}.batches (
  user_id text NOT NULL, batch_id text NOT NULL, request_hash text NOT NULL, response text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (user_id, batch_id));
CREATE INDEX IF NOT EXISTS batches_by_age ON ${s}.batches (created_at);
CREATE TABLE IF NOT EXISTS ${s}.backups (
  sequence bigserial PRIMARY KEY, user_id text NOT NULL, backup_id text NOT NULL, request_hash text NOT NULL,
  snapshot text NOT NULL, records integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, backup_id));
`
}
