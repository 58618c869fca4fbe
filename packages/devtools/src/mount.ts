import type { AutoSync, SyncStatus } from '@autosync/core'
import type { DevtoolsHandle, DevtoolsOptions } from './options'
import type { PanelHandle } from './panel/index'
import { adoptStyles, hostCss } from './styles'

/**
 * Mounts the autosync devtools: a toggle button (floating in a corner, or inside `options.target`)
 * that opens a live panel. Everything lives in a shadow root; the panel body loads on first open.
 *
 * @example
 * const { unmount } = mountDevtools(autoSync, { position: 'bottom-left', theme: 'dark' })
 */
export function mountDevtools(autoSync: AutoSync, options: DevtoolsOptions = {}): DevtoolsHandle {
  const host = document.createElement('div')
  host.setAttribute('data-autosync-devtools', '')
  const placement = options.target ? 'inline' : `floating ${options.position ?? 'bottom-right'}`
  host.className = `${placement} ${options.theme ?? 'system'}`
  const root = host.attachShadow({ mode: 'open' })
  const removeStyles = adoptStyles(root, hostCss, options.styleNonce)

  const wrap = document.createElement('div')
  wrap.className = 'wrap'
  const toggle = document.createElement('button')
  toggle.type = 'button'
  toggle.className = 'toggle'
  toggle.setAttribute('aria-expanded', 'false')
  const dot = document.createElement('span')
  dot.className = 'dot'
  const label = document.createElement('span')
  toggle.append(dot, label)
  const slot = document.createElement('div')
  slot.hidden = true
  wrap.append(toggle, slot)
  root.append(wrap)
  ;(options.target ?? document.body).append(host)

  const showStatus = (status: SyncStatus) => {
    toggle.setAttribute('data-phase', status.phase)
    // Changes the backend refused for good need a person: the badge says so whatever the phase.
    const dead = status.deadLetters ?? 0
    toggle.toggleAttribute('data-dead-letters', dead > 0)
    const parts = ['autosync']
    if (status.pendingChanges > 0) parts.push(String(status.pendingChanges))
    if (dead > 0) parts.push(`${dead} dead ${dead === 1 ? 'letter' : 'letters'}`)
    label.textContent = parts.join(' · ')
  }
  showStatus(autoSync.getStatus())
  const unsubscribe = autoSync.subscribe(showStatus)

  let panel: PanelHandle | undefined
  let loading: Promise<void> | undefined
  let mounted = true
  const open = (isOpen: boolean) => {
    slot.hidden = !isOpen
    toggle.setAttribute('aria-expanded', String(isOpen))
    panel?.setVisible(isOpen)
    if (isOpen && !loading) {
      // The panel body is a separate chunk so the initial import stays small.
      loading = import('./panel/index').then(
        ({ createPanel }) => {
          if (!mounted) return
          panel = createPanel(slot, root, autoSync, options, adoptStyles)
          panel.setVisible(!slot.hidden)
        },
        () => {
          // A failed chunk load (offline dev server) is retried on the next open.
          loading = undefined
          slot.textContent = '[autosync] [devtools] Could not load the panel.'
        },
      )
    }
  }
  const onToggle = () => open(slot.hidden)
  toggle.addEventListener('click', onToggle)
  if (options.initialOpen) open(true)

  return {
    unmount() {
      if (!mounted) return
      mounted = false
      unsubscribe()
      toggle.removeEventListener('click', onToggle)
      panel?.destroy()
      removeStyles()
      host.remove()
    },
  }
}
