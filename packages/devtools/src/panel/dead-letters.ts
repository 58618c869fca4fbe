import type { DeadLetter } from '@autosync/core'
import { button, element, section, table } from './dom'
import { formatAge, previewValue } from './format'
import { visibleRows } from './sections'

export interface DeadLetterView {
  filter: string | null
  now: number
  showValues: boolean
  sanitize: ((value: unknown) => unknown) | undefined
  /** The dead letter whose discard waits for confirmation. */
  confirming: string | null
  busy: ReadonlySet<string>
  onRetry(id: string): void
  onDiscard(id: string): void
  onConfirm(id: string | null): void
}

function actions(letter: DeadLetter, view: DeadLetterView): HTMLElement {
  const busy = view.busy.has(letter.id)
  const cell = element('span', 'row-actions')
  if (view.confirming === letter.id) {
    cell.append(
      element('span', 'confirm', 'Discard for good?'),
      button('Confirm', 'danger', () => view.onDiscard(letter.id)),
      button('Cancel', 'quiet', () => view.onConfirm(null)),
    )
  } else {
    cell.append(
      button('Retry', 'quiet', () => view.onRetry(letter.id)),
      button('Discard', 'quiet', () => view.onConfirm(letter.id)),
    )
  }
  for (const control of cell.querySelectorAll('button')) {
    control.disabled = busy
    control.setAttribute('data-dead-letter', letter.id)
  }
  return cell
}

export function renderDeadLetters(letters: DeadLetter[], view: DeadLetterView): HTMLElement {
  const rows = letters.filter((letter) => view.filter === null || letter.change.table === view.filter)
  const shown = rows.slice(0, visibleRows)
  const headers = ['table', 'key', 'op', 'kind', 'reason', 'failed', ...(view.showValues ? ['value'] : []), '']
  return section(
    'dead-letters',
    'Dead letters',
    shown.length,
    rows.length,
    () =>
      table(
        headers,
        shown.map((letter) => [
          letter.change.table,
          String(letter.change.key),
          letter.change.op,
          letter.status === undefined ? letter.kind : `${letter.kind} ${letter.status}`,
          letter.reason,
          formatAge(letter.failedAt, view.now),
          ...(view.showValues ? [previewValue(letter.change.value, view.sanitize)] : []),
          actions(letter, view),
        ]),
      ),
    'No change was refused for good.',
  )
}
