import type { AutoSync } from '@autosync/core'
import { button, element } from './dom'
import { displayText } from './format'

export interface Toolbar {
  element: HTMLElement
  message: HTMLElement
  /** Updates labels and the table list without rebuilding the controls (keeps focus and an open select). */
  update(isEnabled: boolean, tables: string[]): void
  destroy(): void
}

const describe = (error: unknown) => displayText(error instanceof Error ? error.message : String(error))

/** Sync now, pause/resume, backup and the table filter. */
export function createToolbar(autoSync: AutoSync, onFilter: (table: string | null) => void): Toolbar {
  const message = element('p', 'message')
  message.setAttribute('role', 'status')
  const say = (text: string, tone: 'ok' | 'bad') => {
    message.textContent = displayText(text)
    message.className = `message ${tone}`
  }
  const run = async (control: HTMLButtonElement, action: () => Promise<string>) => {
    control.disabled = true
    try {
      say(await action(), 'ok')
    } catch (error) {
      say(`${control.textContent} failed: ${describe(error)}`, 'bad')
    } finally {
      control.disabled = false
    }
  }

  const syncNow = button('Sync now', 'primary', () =>
    run(syncNow, async () => {
      const before = autoSync.getStatus().lastError
      await autoSync.syncNow()
      // syncNow resolves after a failed attempt too; the status tells how it went.
      const after = autoSync.getStatus()
      if (after.lastError && after.lastError !== before && after.consecutiveFailures > 0) {
        throw new Error(`${after.lastError.kind}: ${after.lastError.message}`)
      }
      return after.pendingChanges > 0 ? `Sync finished; ${after.pendingChanges} still pending.` : 'Sync finished.'
    }),
  )
  syncNow.setAttribute('data-action', 'sync-now')
  let enabled = autoSync.getStatus().isEnabled
  const pause = button('Pause', 'quiet', () => {
    autoSync.setEnabled(!enabled)
    say(enabled ? 'Auto-sync paused.' : 'Auto-sync resumed.', 'ok')
  })
  pause.setAttribute('data-action', 'pause')
  const backup = button('Backup', 'quiet', () =>
    run(backup, async () => {
      const result = await autoSync.backup()
      return `Backup ${result.backupId}: ${result.records} records.`
    }),
  )
  backup.setAttribute('data-action', 'backup')

  const select = element('select', 'filter')
  select.setAttribute('aria-label', 'Filter by table')
  select.append(element('option', undefined, 'All tables'))
  select.options[0]!.value = ''
  const onChange = () => onFilter(select.value === '' ? null : select.value)
  select.addEventListener('change', onChange)
  let knownTables = ''

  const bar = element('div', 'toolbar', syncNow, pause, backup, select)
  return {
    element: bar,
    message,
    update(isEnabled, tables) {
      enabled = isEnabled
      pause.textContent = isEnabled ? 'Pause' : 'Resume'
      pause.setAttribute('data-action', isEnabled ? 'pause' : 'resume')
      const joined = tables.join('\n')
      if (joined === knownTables) return
      knownTables = joined
      const current = select.value
      select.replaceChildren(select.options[0]!)
      for (const table of tables) {
        const option = element('option', undefined, table)
        option.value = table
        select.append(option)
      }
      select.value = tables.includes(current) ? current : ''
    },
    destroy() {
      select.removeEventListener('change', onChange)
    },
  }
}
