import type { StorageSchema } from '@autosync/core'

export interface Note extends Record<string, unknown> {
  id: string
  userId: string
  text: string
  createdAt: number
}

export interface NotesSchema extends StorageSchema {
  notes: { key: string; value: Note; indexes: { byUser: string } }
}

export interface NoteActions {
  onDelete(id: string): void
  /** Called with the new text when an edit is saved (Enter or leaving the field). */
  onEdit(id: string, text: string): void
}

/** Replaces the note's text with a field; Enter or leaving it saves, Escape cancels. */
function startEditing(text: HTMLElement, note: Note, onEdit: NoteActions['onEdit']) {
  const field = document.createElement('input')
  field.value = note.text
  field.setAttribute('aria-label', 'Edit note')
  let done = false
  const finish = (save: boolean) => {
    if (done) return
    done = true
    const value = field.value.trim()
    field.replaceWith(text)
    if (save && value && value !== note.text) onEdit(note.id, value)
  }
  field.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') finish(true)
    if (event.key === 'Escape') finish(false)
  })
  field.addEventListener('blur', () => finish(true))
  text.replaceWith(field)
  field.focus()
}

/** Renders notes as text nodes only: a note is user input and never becomes HTML. */
export function renderNotes(list: HTMLElement, notes: Note[], actions?: NoteActions, cap = 200) {
  const items = notes
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, cap)
    .map((note) => {
      const item = document.createElement('li')
      item.dataset.id = note.id
      const text = document.createElement('span')
      text.textContent = note.text
      item.append(text)
      if (actions) {
        const button = (label: string, onClick: () => void) => {
          const element = document.createElement('button')
          element.type = 'button'
          element.textContent = label
          element.addEventListener('click', onClick)
          return element
        }
        item.append(
          button('Edit', () => startEditing(text, note, actions.onEdit)),
          button('Delete', () => actions.onDelete(note.id)),
        )
      }
      return item
    })
  if (notes.length > cap) {
    const more = document.createElement('li')
    more.textContent = `… and ${notes.length - cap} more`
    items.push(more)
  }
  list.replaceChildren(...items)
}
