import type { AutoSync } from '@autosync/core'
import type { DevtoolsOptions } from '../options'
import type { adoptStyles } from '../styles'
import { createToolbar } from './actions'
import { renderDeadLetters } from './dead-letters'
import { element } from './dom'
import { displayText } from './format'
import { renderHeader } from './header'
import { createModel } from './model'
import { renderPull } from './pull'
import { renderBuffered, renderFailures, renderHistory, renderOutbox, renderSkipped } from './sections'
import { panelCss } from './styles'

export interface PanelHandle {
  setVisible(visible: boolean): void
  destroy(): void
}

/** Builds the live panel inside `slot`; loaded lazily by `mountDevtools`. */
export function createPanel(
  slot: HTMLElement,
  root: ShadowRoot,
  autoSync: AutoSync,
  options: DevtoolsOptions,
  // Passed in, not imported: a module both chunks import would become a shared chunk that the entries import
  // for its side effects only, which bundlers drop ("sideEffects": false) with a warning.
  adopt: typeof adoptStyles,
): PanelHandle {
  const removeStyles = adopt(root, panelCss, options.styleNonce)
  const now = () => (options.clock ?? Date).now()
  let filter: string | null = null
  let confirming: string | null = null
  const busy = new Set<string>()
  let visible = false
  let renderQueued = false
  let ticker: ReturnType<typeof setInterval> | undefined

  const panel = element('div', 'panel')
  panel.setAttribute('role', 'region')
  panel.setAttribute('aria-label', 'autosync devtools')
  const header = element('div')
  const body = element('div', 'body')
  const toolbar = createToolbar(autoSync, (table) => {
    filter = table
    render()
  })
  panel.append(header, toolbar.element, toolbar.message, body)
  slot.replaceChildren(panel)

  const deadLetterAction = async (id: string, action: () => Promise<void>, done: string) => {
    busy.add(id)
    render()
    try {
      await action()
      toolbar.message.textContent = done
      toolbar.message.className = 'message ok'
    } catch (error) {
      toolbar.message.textContent = displayText(error instanceof Error ? error.message : String(error))
      toolbar.message.className = 'message bad'
    } finally {
      busy.delete(id)
      confirming = null
      await collector.refresh()
      render()
    }
  }

  const render = () => {
    if (!visible) return
    const { model } = collector
    const at = now()
    const tables = new Set<string>(autoSync.storage.syncedTables)
    for (const name of Object.keys(model.outbox?.tables ?? {})) tables.add(name)
    for (const letter of model.deadLetters) tables.add(letter.change.table)
    // The open breaker also clears isEnabled; only the user's own pause offers "Resume".
    toolbar.update(model.status.isEnabled || model.status.disabledUntil !== null, [...tables].sort())
    header.replaceChildren(renderHeader(model, at))
    const showValues = options.showValues === true
    body.replaceChildren(
      renderBuffered(model, filter, at, showValues),
      renderOutbox(model, filter, at),
      renderFailures(model, at),
      renderDeadLetters(model.deadLetters, {
        filter,
        now: at,
        showValues,
        sanitize: options.sanitize,
        confirming,
        busy,
        onRetry: (id) => deadLetterAction(id, () => autoSync.deadLetters.retry(id), 'Dead letter queued again.'),
        onDiscard: (id) => deadLetterAction(id, () => autoSync.deadLetters.discard(id), 'Dead letter discarded.'),
        onConfirm: (id) => {
          confirming = id
          render()
        },
      }),
      renderSkipped(model, filter, at),
      renderHistory(model),
      ...renderPull(model, at),
      ...(model.readError ? [element('p', 'message bad', `Could not read the outbox: ${model.readError}`)] : []),
    )
  }

  // Bursts of writes re-render once.
  const scheduleRender = () => {
    if (renderQueued || !visible) return
    renderQueued = true
    queueMicrotask(() => {
      renderQueued = false
      render()
    })
  }
  const collector = createModel(autoSync, options, scheduleRender)

  return {
    setVisible(next) {
      visible = next
      if (ticker !== undefined) clearInterval(ticker)
      ticker = undefined
      if (!next) return
      // Ages and countdowns move with time even when nothing else happens.
      ticker = setInterval(render, 1_000)
      render()
    },
    destroy() {
      visible = false
      if (ticker !== undefined) clearInterval(ticker)
      collector.destroy()
      toolbar.destroy()
      removeStyles()
      panel.remove()
    },
  }
}
