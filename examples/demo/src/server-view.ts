import type { Note } from './notes'

/** Reads everything the server holds for the user through the protocol's own `GET /pull`. */
export async function fetchServerNotes(token: string): Promise<Note[]> {
  const records = new Map<string, Note>()
  let cursor = ''
  for (;;) {
    const response = await fetch(`/api/pull?limit=1000&cursor=${encodeURIComponent(cursor)}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (!response.ok) throw new Error(`server answered ${response.status}`)
    const page = (await response.json()) as {
      changes: { table: string; key: string; op: 'put' | 'delete'; value?: Note }[]
      cursor: string | null
      hasMore: boolean
    }
    for (const change of page.changes) {
      if (change.table !== 'notes') continue
      if (change.op === 'delete' || !change.value) records.delete(String(change.key))
      else records.set(String(change.key), change.value)
    }
    if (!page.hasMore || !page.cursor) break
    cursor = page.cursor
  }
  return [...records.values()]
}
