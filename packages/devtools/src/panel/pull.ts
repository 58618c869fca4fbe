import { section, table } from './dom'
import { formatAge } from './format'
import type { PanelModel } from './model'

/** Two-way sync: the last pull, the cursor, and the conflicts the resolver settled, newest first. */
export function renderPull(model: PanelModel, now: number): Node[] {
  const { lastPullTime, pullCursor, pullProgress } = model.status
  // Push-only engines (no `twoWay()`) have no pull to show.
  if (lastPullTime === undefined) return []
  const pulling = pullProgress ? `pulling: page ${pullProgress.pages}, ${pullProgress.applied} applied` : null
  const summary = [
    ['last pull', pulling ?? (lastPullTime === null ? 'not yet' : formatAge(lastPullTime, now))],
    ['cursor', pullCursor ?? '—'],
    ['conflicts resolved', String(model.status.conflicts ?? 0)],
  ]
  const conflicts = model.conflicts.items.slice(0, 20)
  return [
    section(
      'pull',
      'Pull and conflicts',
      summary.length + conflicts.length,
      summary.length + model.conflicts.total,
      () =>
        table(
          ['', ''],
          [
            ...summary,
            ...conflicts.map((row) => [
              `${row.table} ${String(row.key)}`,
              `${row.choice === 'remote' ? 'took the remote version' : row.choice === 'local' ? 'kept the local version' : row.choice === 'merged' ? 'merged both' : 'deleted'}${row.reason ? ` (${row.reason})` : ''} · ${formatAge(row.at, now)}`,
            ]),
          ],
        ),
      '',
    ),
  ]
}
