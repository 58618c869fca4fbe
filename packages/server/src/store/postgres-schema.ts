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

/**
 * The layout `creationSql` and `upgradeSql` give. Start-up reads it without taking a lock and migrates only when it is older,
 * so an instance starting beside others that serve pushes takes no table lock at all.
 */
export const schemaVersion = 1

/** Creates what is missing; takes no lock on a table that already exists. */
export function creationSql(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.schema_meta (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), version integer NOT NULL);
CREATE SEQUENCE IF NOT EXISTS ${s}.revisions AS bigint;
CREATE TABLE IF NOT EXISTS ${s}.users (
  user_id text PRIMARY KEY, last_push_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS ${s}.records (
  user_id text NOT NULL, table_name text NOT NULL, record_key text NOT NULL, value jsonb,
  revision bigint NOT NULL, change_id text NOT NULL, client_seqs text NOT NULL,
  PRIMARY KEY (user_id, table_name, record_key));
-- CREATE INDEX IF NOT EXISTS locks its table before it looks: only a missing index is created.
DO $$ BEGIN IF to_regclass('${s}.records_by_revision') IS NULL THEN CREATE INDEX records_by_revision ON ${s}.records (user_id, revision); END IF; END $$;
CREATE TABLE IF NOT EXISTS ${s}.applied_changes (
  user_id text NOT NULL, change_id text NOT NULL, PRIMARY KEY (user_id, change_id));
CREATE TABLE IF NOT EXISTS ${s}.batches (
  user_id text NOT NULL, batch_id text NOT NULL, request_hash text NOT NULL, response text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (user_id, batch_id));
-- CREATE INDEX IF NOT EXISTS locks its table before it looks: only a missing index is created.
DO $$ BEGIN IF to_regclass('${s}.batches_by_age') IS NULL THEN CREATE INDEX batches_by_age ON ${s}.batches (created_at); END IF; END $$;
CREATE TABLE IF NOT EXISTS ${s}.backups (
  sequence bigserial PRIMARY KEY, user_id text NOT NULL, backup_id text NOT NULL, request_hash text NOT NULL,
  snapshot text NOT NULL, records integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, backup_id));
`
}

/**
 * Brings a database of an older layout (before \`schema_meta\`) to version 1. It locks the tables in a push's order
 * (users, then records, then applied changes), so it waits behind a push instead of deadlocking with one.
 */
export function upgradeSql(s: string): string {
  return `
LOCK TABLE ${s}.users, ${s}.records, ${s}.applied_changes IN ACCESS EXCLUSIVE MODE;
ALTER TABLE ${s}.users ADD COLUMN IF NOT EXISTS last_revision bigint;
ALTER TABLE ${s}.records ADD COLUMN IF NOT EXISTS written_at bigint NOT NULL DEFAULT 0;
ALTER TABLE ${s}.applied_changes ADD COLUMN IF NOT EXISTS rejected text;
-- Records carry each client's highest applied seq: rows of applied changes from before are no longer needed.
DELETE FROM ${s}.applied_changes WHERE rejected IS NULL;
INSERT INTO ${s}.schema_meta (version) VALUES (${schemaVersion})
  ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version;
`
}
