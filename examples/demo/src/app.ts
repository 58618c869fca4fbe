import { restAdapter } from '@autosync/adapter-rest'
import {
  browserNetwork,
  createAutoSync,
  exponentialBackoff,
  type Network,
  openStorage,
  type SyncStatus,
} from '@autosync/core'
import { twoWay } from '@autosync/core/two-way'
import { mountDevtools } from '@autosync/devtools/production'
import { type Note, type NotesSchema, renderNotes } from './notes'
import { fetchServerNotes } from './server-view'

const params = new URLSearchParams(location.search)
const userId = /^[A-Za-z0-9_-]{1,64}$/.test(params.get('user') ?? '') ? (params.get('user') as string) : 'alice'
// `?fast` shortens every timer so the backoff, breaker and drain can be watched in seconds (and tested).
const fast = params.has('fast')
const batchSize = Number(params.get('batchSize')) || undefined
// `?realtime` pushes as soon as the previous push ended (bufferMs and minIntervalMs 0): edits reach the other device
// in tens of milliseconds, at the cost of one push request per burst of writes instead of one per 5 s.
const realTime = params.has('realtime')
// `?device=2` is a second device in the same browser: its own IndexedDB database, so its own outbox and cursor.
const device = params.get('device') === '2' ? 2 : 1

let token: string | null = null
async function getToken({ forceRefresh }: { forceRefresh: boolean }): Promise<string> {
  if (token && !forceRefresh) return token
  const response = await fetch(`/demo/token?user=${encodeURIComponent(userId)}`)
  token = ((await response.json()) as { token: string }).token
  return token
}

const storage = await openStorage<NotesSchema>({
  name: device === 1 ? 'autosync-demo' : 'autosync-demo-device-2',
  version: 1,
  tables: { notes: { keyPath: 'id', indexes: { byUser: 'userId' } } },
  userIdField: 'userId',
})
// "Work offline" is this app's own switch on top of the browser's network: the engine sees offline (phase offline,
// network offline), as on a plane, instead of a disabled engine on a network that reads online.
let workingOffline = false
const networkListeners = new Set<(online: boolean) => void>()
const network: Network = {
  isOnline: () => browserNetwork.isOnline() && !workingOffline,
  subscribe(listener) {
    networkListeners.add(listener)
    const off = browserNetwork.subscribe(() => listener(network.isOnline()))
    return () => {
      networkListeners.delete(listener)
      off()
    }
  },
}
const autoSync = createAutoSync({
  network,
  storage,
  adapter: restAdapter({ baseUrl: '/api/', getToken }),
  userId,
  // Pulls what other devices wrote (live hints when the adapter streams them); last write wins a conflict.
  plugins: [twoWay()],
  ...(batchSize ? { batchSize } : {}),
  ...(realTime ? { bufferMs: 0, minIntervalMs: 0 } : {}),
  ...(fast
    ? {
        bufferMs: 200,
        maxBufferMs: 1_000,
        minIntervalMs: 250,
        periodicSyncMs: 2_000,
        backoff: exponentialBackoff({ initialMs: 500, factor: 2, maxMs: 4_000, jitter: 0.2 }),
        recoveryMs: 8_000,
      }
    : {}),
})
await autoSync.start()
// Inline below the two columns, so the open panel never covers the server view.
const devtoolsSlot = document.getElementById('devtools') ?? undefined
mountDevtools(autoSync, { initialOpen: params.has('devtools'), ...(devtoolsSlot ? { target: devtoolsSlot } : {}) })

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const link = (query: Record<string, string | undefined>) =>
  `?${new URLSearchParams(Object.entries({ ...query, ...(fast ? { fast: '' } : {}), ...(realTime ? { realtime: '' } : {}) }).filter(([, value]) => value !== undefined) as [string, string][])}`
element('user').textContent = userId
element('device').textContent = `device ${device}`
element<HTMLAnchorElement>('other-user').href = link({
  user: userId === 'alice' ? 'bob' : 'alice',
  device: device === 2 ? '2' : undefined,
})
const otherDevice = element<HTMLAnchorElement>('other-device')
otherDevice.href = link({ user: userId, device: device === 1 ? '2' : undefined })
otherDevice.textContent = device === 1 ? 'a second device' : 'device 1'
// The engine's timers are fixed when it is created: the toggle reloads the page with or without `?realtime`.
const realTimeToggle = element<HTMLInputElement>('realtime')
realTimeToggle.checked = realTime
realTimeToggle.addEventListener('change', () => {
  const next = new URLSearchParams(location.search)
  if (realTimeToggle.checked) next.set('realtime', '')
  else next.delete('realtime')
  location.search = next.toString()
})

async function addNotes(texts: string[]) {
  const now = Date.now()
  const notes: Note[] = texts.map((text, index) => ({ id: crypto.randomUUID(), userId, text, createdAt: now + index }))
  if (notes.length === 1) await storage.put('notes', notes[0] as Note)
  else await storage.bulkPut('notes', notes)
}

async function refreshLocal() {
  const notes = (await storage.getAll('notes')).filter((note) => note.userId === userId)
  renderNotes(element('local-notes'), notes, {
    onDelete: (id) => void storage.delete('notes', id),
    onEdit: (id, text) => void storage.update('notes', id, { text }),
  })
}

let serverRefresh: Promise<void> | null = null
function refreshServer() {
  serverRefresh ??= getToken({ forceRefresh: false })
    .then(fetchServerNotes)
    .then((notes) => {
      element('server-summary').textContent = `${notes.length} ${notes.length === 1 ? 'note' : 'notes'} on the server`
      renderNotes(element('server-notes'), notes)
    })
    .catch((error: unknown) => {
      element('server-summary').textContent = `server unreachable (${(error as Error).message})`
    })
    .finally(() => {
      serverRefresh = null
    })
  return serverRefresh
}

function describe(status: SyncStatus): string {
  const parts = [`phase: ${status.phase}`, `pending: ${status.pendingChanges}`]
  if (status.consecutiveFailures) parts.push(`failures: ${status.consecutiveFailures}`)
  // Refused for good: they never sync by themselves, so the line says where to act on them.
  if (status.deadLetters) parts.push(`dead letters: ${status.deadLetters} (see devtools)`)
  if (status.disabledUntil && status.isEnabled === false && status.phase === 'disabled') {
    // The circuit breaker is open: say why nothing happens and what brings it back now.
    const until = new Date(status.disabledUntil).toLocaleTimeString()
    parts.push(`auto-sync disabled until ${until} after ${status.consecutiveFailures} failures, press Sync now`)
  } else if (status.nextSyncAt) {
    // With nothing pending the timer only looks for other devices' changes: it is no retry.
    const what =
      status.phase === 'backoff' ? 'next try' : status.hasPendingSync ? 'next sync' : 'next check for remote changes'
    parts.push(`${what} in ${Math.max(0, Math.round((status.nextSyncAt - Date.now()) / 1000))} s`)
  }
  parts.push(status.lastSyncTime ? `last sync ${new Date(status.lastSyncTime).toLocaleTimeString()}` : 'never synced')
  if (status.conflicts) parts.push(`conflicts resolved: ${status.conflicts} (see devtools)`)
  parts.push(status.isLeader ? 'this tab uploads' : 'another tab uploads')
  return parts.join(' · ')
}
const showStatus = () => {
  element('status').textContent = describe(autoSync.getStatus())
}
autoSync.subscribe(showStatus)
setInterval(showStatus, 1_000)
autoSync.on('sync-succeeded', () => void refreshServer())
// A conflict says which note it was, what was kept, what was discarded and why the policy chose (newest first).
const noteText = (value: Record<string, unknown> | null) => (value ? `“${String(value.text)}”` : 'a delete')
autoSync.on('conflict-resolved', (conflict) => {
  const kept = conflict.choice === 'local' ? conflict.local : conflict.remote
  const discarded = conflict.choice === 'local' ? conflict.remote : conflict.local
  const row = document.createElement('li')
  row.textContent =
    conflict.choice === 'merged' || conflict.choice === 'deleted'
      ? `${conflict.choice === 'merged' ? 'Merged' : 'Deleted'} ${noteText(conflict.local)} and ${noteText(conflict.remote)}: ${conflict.reason ?? 'by the resolver'}`
      : `Kept ${noteText(kept)}, discarded ${noteText(discarded)} from ${conflict.choice === 'local' ? 'the other device' : 'this device'}: ${conflict.reason ?? 'by the resolver'}`
  element('conflicts').prepend(row)
  element('conflicts-title').hidden = false
})
// Once per commit: "Add 1,000 notes" reads the list once, not 1,000 times.
storage.events.onCommit((events) => {
  if (events.some((event) => event.table === 'notes')) void refreshLocal()
})

element<HTMLFormElement>('note-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const input = element<HTMLInputElement>('note-text')
  const text = input.value.trim()
  if (!text) return
  input.value = ''
  void addNotes([text])
})
element('add-many').addEventListener('click', () => {
  void addNotes(Array.from({ length: 1_000 }, (_, index) => `Note ${index + 1} of a batch`))
})
element('sync-now').addEventListener('click', () => void autoSync.syncNow().catch(() => {}))
// Working offline is what a phone on a plane does: writes land locally and wait; going online pushes and pulls.
const offlineButton = element('offline')
offlineButton.addEventListener('click', () => {
  const offline = !offlineButton.classList.contains('offline-on')
  workingOffline = offline
  for (const listener of networkListeners) listener(network.isOnline())
  if (!offline) void autoSync.syncNow().catch(() => {})
  offlineButton.classList.toggle('offline-on', offline)
  offlineButton.textContent = offline ? 'Go online' : 'Work offline'
})
const outageButton = element('outage')
outageButton.addEventListener('click', async () => {
  const on = !outageButton.classList.contains('outage-on')
  await fetch(`/demo/outage?on=${on ? 1 : 0}`, { method: 'POST' })
  outageButton.classList.toggle('outage-on', on)
  outageButton.textContent = on ? 'End server outage' : 'Simulate server outage'
})

showStatus()
await refreshLocal()
await refreshServer()

/** Handles for the end-to-end test and the curious console user. */
Object.assign(window, { demo: { storage, autoSync, addNotes, refreshServer, userId, device } })
