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

/** Renders notes as text nodes only: a note is user input and never becomes HTML. */
export function renderNotes(list: HTMLElement, notes: Note[], onDelete?: (id: string) => void, cap = 200) {
  const items = notes
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, cap)
    .map((note) => {
      const item = document.createElement('li')
      const text = document.createElement('span')
      text.textContent = note.text
      item.append(text)
      if (onDelete) {
        const remove = document.createElement('button')
        remove.type = 'button'
        remove.textContent = 'Delete'
        remove.addEventListener('click', () => onDelete(note.id))
        item.append(remove)
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
