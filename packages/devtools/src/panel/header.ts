import type { SyncPhase } from '@autosync/core'
import { badge, element } from './dom'
import { formatAge, formatClock, formatCountdown } from './format'
import type { PanelModel } from './model'

const phaseTone: Record<SyncPhase, 'ok' | 'info' | 'warn' | 'bad' | 'muted'> = {
  idle: 'ok',
  buffering: 'info',
  throttled: 'info',
  syncing: 'info',
  backoff: 'warn',
  offline: 'warn',
  disabled: 'bad',
  stopped: 'muted',
}

/** Circuit breaker state as the status shows it: open (with its end), paused by the app, or closed. */
export function breakerState(model: PanelModel): 'open' | 'paused' | 'closed' {
  const { status } = model
  if (status.phase === 'disabled' || !status.isEnabled) {
    if (model.disabledReason === 'manual') return 'paused'
    return status.disabledUntil !== null || model.disabledReason === 'circuit-breaker' ? 'open' : 'paused'
  }
  return 'closed'
}

function field(name: string, label: string, value: Node | string): HTMLElement {
  const node = element('div', 'field', element('span', 'label', label), element('span', 'value', value))
  node.setAttribute('data-field', name)
  return node
}

export function renderHeader(model: PanelModel, now: number): HTMLElement {
  const { status } = model
  const breaker = breakerState(model)
  const breakerText =
    breaker === 'open'
      ? `open until ${status.disabledUntil === null ? '—' : `${formatClock(status.disabledUntil)} (${formatCountdown(status.disabledUntil, now)})`}`
      : breaker
  const nextLabel = status.phase === 'backoff' ? 'next retry' : status.phase === 'disabled' ? 'recovery' : 'next sync'
  const fields = [
    field('online', 'network', badge(status.isOnline ? 'online' : 'offline', status.isOnline ? 'ok' : 'warn')),
    field('leader', 'tab', badge(status.isLeader ? 'leader' : 'follower', status.isLeader ? 'info' : 'muted')),
    field('user', 'user', status.userId ?? '—'),
    field('next', nextLabel, formatCountdown(status.nextSyncAt ?? status.disabledUntil, now)),
    field('failures', 'failures in a row', String(status.consecutiveFailures)),
    field(
      'breaker',
      'circuit breaker',
      badge(breakerText, breaker === 'closed' ? 'ok' : breaker === 'open' ? 'bad' : 'warn'),
    ),
    field('pending', 'pending', String(status.pendingChanges)),
    field('dead-letters', 'dead letters', badge(String(status.deadLetters ?? 0), status.deadLetters ? 'bad' : 'ok')),
    field('last-sync', 'last sync', formatAge(status.lastSyncTime, now)),
  ]
  const progress = status.progress ? ` ${status.progress.done}/${status.progress.total}` : ''
  const title = element(
    'div',
    'title',
    element('strong', undefined, 'autosync'),
    badge(`${status.phase}${progress}`, phaseTone[status.phase]),
  )
  title.setAttribute('data-field', 'phase')
  const lastError = status.lastError
    ? element(
        'p',
        'last-error',
        `last error: ${status.lastError.kind}${status.lastError.status ? ` ${status.lastError.status}` : ''} · ${status.lastError.message}`,
      )
    : null
  return element('header', undefined, title, element('div', 'fields', ...fields), lastError)
}
