import { element, section, table } from './dom'
import { formatAge, formatClock, formatCountdown, formatDuration } from './format'
import type { PanelModel } from './model'

/** Rows shown per list; the rest is counted, not rendered. */
export const visibleRows = 50

const matches = (filter: string | null, tableName: string) => filter === null || filter === tableName
const keyText = (key: unknown) => (key === undefined ? '—' : String(key))

export function renderBuffered(model: PanelModel, filter: string | null, now: number, showValues: boolean) {
  const rows = model.buffered.items.filter((row) => matches(filter, row.table))
  const total = filter === null ? model.buffered.total : rows.length
  const shown = rows.slice(0, visibleRows)
  const headers = ['table', 'key', 'type', 'age', ...(showValues ? ['value'] : [])]
  return section(
    'buffered',
    'Buffered events (this window)',
    shown.length,
    total,
    () =>
      table(
        headers,
        shown.map((row) => [
          row.table,
          keyText(row.key),
          row.origin === 'tab' ? `${row.type} (other tab)` : row.type,
          formatAge(row.timestamp, now),
          ...(showValues ? [row.preview ?? '—'] : []),
        ]),
      ),
    'No changes captured since the last sync.',
  )
}

export function renderOutbox(model: PanelModel, filter: string | null, now: number) {
  const entries = Object.entries(model.outbox?.tables ?? {}).filter(
    ([name, entry]) => entry.pending > 0 && matches(filter, name),
  )
  const total = entries.reduce((sum, [, entry]) => sum + entry.pending, 0)
  return section(
    'outbox',
    'Outbox (pending changes)',
    total,
    total,
    () =>
      table(
        ['table', 'pending', 'oldest'],
        entries.map(([name, entry]) => [name, String(entry.pending), formatAge(entry.oldestTimestamp, now)]),
      ),
    model.outbox === null ? 'Reading the outbox…' : 'Nothing waiting to be sent.',
  )
}

// Only the latest failure's schedule is still current, and only until an attempt succeeds.
const nextRetry = (model: PanelModel, at: number | null, now: number) =>
  model.status.consecutiveFailures > 0 ? formatCountdown(at, now) : '—'

export function renderFailures(model: PanelModel, now: number) {
  const shown = model.failures.items.slice(0, visibleRows)
  return section(
    'failures',
    'Failures',
    shown.length,
    model.failures.total,
    () =>
      table(
        ['time', 'kind', 'status', 'message', 'attempt', 'next retry'],
        shown.map((row, index) => [
          formatClock(row.at),
          row.error.retryable ? row.error.kind : `${row.error.kind} (permanent)`,
          row.error.status === undefined ? '—' : String(row.error.status),
          row.error.message,
          `#${row.attempt}`,
          index !== 0 ? '—' : row.error.kind === 'auth' ? 'after sign-in' : nextRetry(model, row.nextSyncAt, now),
        ]),
      ),
    'No failed attempts.',
  )
}

export function renderSkipped(model: PanelModel, filter: string | null, now: number) {
  const rows = model.skipped.items.filter((row) => matches(filter, row.table))
  const total = filter === null ? model.skipped.total : rows.length
  const shown = rows.slice(0, visibleRows)
  return section(
    'skipped',
    'Skipped changes',
    shown.length,
    total,
    () =>
      table(
        ['table', 'key', 'plugin', 'reason', 'age'],
        shown.map((row) => [row.table, keyText(row.key), row.plugin, row.reason, formatAge(row.at, now)]),
      ),
    'No change was skipped by a plugin.',
  )
}

export function renderHistory(model: PanelModel) {
  const shown = model.history.items
  return section(
    'history',
    'Sync history',
    shown.length,
    model.history.total,
    () =>
      table(
        ['time', 'changes', 'duration', 'outcome'],
        shown.map((row) => [
          formatClock(row.at),
          String(row.changes),
          row.durationMs === null ? '…' : formatDuration(row.durationMs),
          element('span', `outcome ${row.outcome}`, row.detail ? `${row.outcome} (${row.detail})` : row.outcome),
        ]),
      ),
    // History starts when the panel loads; an earlier sync shows in the header's "last sync".
    model.status.lastSyncTime === null ? 'No sync yet.' : 'No sync since the panel opened.',
  )
}
