import { afterEach, describe, expect, it } from 'vitest'
import { type ConflictResolver, clientWins, lastWriteWins, mergeFields, serverWins } from '../../src/two-way'
import { createBackend } from './devices'

let backend: Awaited<ReturnType<typeof createBackend>>
afterEach(() => backend?.closeAll())

const original = { id: 'n', userId: 'u1', title: 'title', body: 'body' }

/** Two devices on one backend, both holding `original` (A wrote and pushed it, B pulled it). */
async function bothHoldOriginal(resolve: ConflictResolver, conditionalWrites = true) {
  backend = await createBackend({ resolve, adapter: { conditionalWrites } })
  const a = await backend.openDevice('a')
  const b = await backend.openDevice('b')
  await a.storage.put('notes', original)
  await a.autoSync.syncNow()
  await b.autoSync.pull()
  return { a, b }
}

/**
 * Both devices hold `original`; offline, A edits the title and B (later, by the clock) the body. A syncs first,
 * then B, then A again: every device and the backend must end on the policy's answer.
 */
async function editBothSides(resolve: ConflictResolver, conditionalWrites: boolean) {
  const { a, b } = await bothHoldOriginal(resolve, conditionalWrites)
  await a.storage.update('notes', 'n', { title: 'title by a' })
  await backend.clock.advance(1_000)
  await b.storage.update('notes', 'n', { body: 'body by b' })
  await a.autoSync.syncNow()
  await b.autoSync.syncNow()
  await a.autoSync.syncNow()
  await b.autoSync.syncNow()
  return { a, b, server: backend.serverNotes().n }
}

const policies: [string, () => ConflictResolver, Record<string, unknown>][] = [
  // B meets A's change as the remote one.
  ['serverWins', serverWins, { ...original, title: 'title by a' }],
  ['clientWins', clientWins, { ...original, body: 'body by b' }],
  ['lastWriteWins (B wrote later)', lastWriteWins, { ...original, body: 'body by b' }],
  ['mergeFields', mergeFields, { ...original, title: 'title by a', body: 'body by b' }],
]

describe.each([true, false])('concurrent offline edits (conditional writes: %s)', (conditionalWrites) => {
  it.each(policies)('converge by %s on both devices and the backend', async (_name, policy, expected) => {
    const { a, b, server } = await editBothSides(policy(), conditionalWrites)
    expect(server).toEqual(expected)
    expect((await a.notes()).n).toEqual(expected)
    expect((await b.notes()).n).toEqual(expected)
    expect(await a.pending()).toBe(0)
    expect(await b.pending()).toBe(0)
    const resolved = b.lifecycle.filter((event) => event.type === 'conflict-resolved')
    if (conditionalWrites || policy !== serverWins) expect(resolved.length).toBeGreaterThan(0)
    expect(b.autoSync.getStatus().conflicts).toBe(resolved.length)
  })
})

describe('conflict outcomes', () => {
  it('keeps a conflict-rejected change pending, never a dead letter, then pushes the resolution', async () => {
    const { b } = await editBothSides(mergeFields(), true)
    expect(await b.storage.deadLetters.count()).toBe(0)
    const rejected = backend.adapter.requests.filter((request) => request.changes.some((change) => change.key === 'n'))
    expect(rejected.length).toBeGreaterThanOrEqual(3)
    expect(b.lifecycle.find((event) => event.type === 'conflict-resolved')).toMatchObject({
      table: 'notes',
      key: 'n',
      choice: 'merged',
    })
  })

  it.each([
    [serverWins, 'remote', "serverWins: the backend's version wins over this device's pending change"],
    [clientWins, 'local', "clientWins: this device's pending change wins and is pushed over the backend's version"],
    [
      lastWriteWins,
      'local',
      'lastWriteWins: this device wrote later (1970-01-01T00:16:41.000Z, the other writer 1970-01-01T00:16:40.000Z)',
    ],
    [mergeFields, 'merged', "mergeFields: kept this device's body; every other field from the other writer"],
  ] as const)('says what %o met, what it chose and why', async (policy, choice, reason) => {
    const { b } = await editBothSides(policy(), true)
    const [event] = b.lifecycle.filter((entry) => entry.type === 'conflict-resolved')
    // B's pending edit (body) met A's pushed one (title): what the choice discarded is in the event.
    expect(event).toEqual({
      type: 'conflict-resolved',
      table: 'notes',
      key: 'n',
      choice,
      local: { ...original, body: 'body by b' },
      remote: { ...original, title: 'title by a' },
      reason,
      at: expect.any(Number),
    })
  })

  it('gives only the choice for a resolver without explain, and explains deletes and whole writes', async () => {
    const app: ConflictResolver = (conflict) => conflict.remote
    const { b } = await editBothSides(app, true)
    const event = b.lifecycle.find((entry) => entry.type === 'conflict-resolved')
    expect(event).toMatchObject({ choice: 'remote' })
    expect(event).not.toHaveProperty('reason')
    const merge = mergeFields()
    const conflict = {
      table: 'notes',
      key: 'n',
      local: original,
      remote: original,
      localTimestamp: 5,
      remoteTimestamp: 5,
      localClientId: 'b',
      remoteClientId: 'a',
    }
    expect(merge.explain?.({ ...conflict, local: null })).toBe(
      'mergeFields: this device deleted the record, and a delete stays a delete',
    )
    expect(merge.explain?.({ ...conflict, remote: null, localChangedFields: ['title'] })).toBe(
      "mergeFields: this device's edits win over a delete made without seeing them",
    )
    expect(merge.explain?.(conflict)).toBe('mergeFields: this device wrote the whole record, so it wins whole')
    expect(lastWriteWins().explain?.(conflict)).toBe(
      "lastWriteWins: both were written at 1970-01-01T00:00:00.005Z; the larger client id (this device's) wins",
    )
  })

  it('drops the pending change when the resolution equals the remote value', async () => {
    const { b } = await editBothSides(serverWins(), true)
    expect(b.lifecycle.find((event) => event.type === 'conflict-resolved')).toMatchObject({ choice: 'remote' })
    // B's losing edit never reached the backend.
    expect(backend.adapter.applied.some((applied) => applied.change.value?.body === 'body by b')).toBe(false)
  })

  it('settles a local delete against a remote edit by the policy', async () => {
    const { a, b } = await bothHoldOriginal(clientWins())
    await a.storage.update('notes', 'n', { title: 'edited' })
    await b.storage.delete('notes', 'n')
    await a.autoSync.syncNow()
    await b.autoSync.syncNow()
    await a.autoSync.syncNow()
    expect(backend.serverNotes()).toEqual({})
    expect(await a.notes()).toEqual({})
    expect(b.lifecycle.find((event) => event.type === 'conflict-resolved')).toMatchObject({ choice: 'deleted' })
  })

  it('lets an app resolver decide, and validates what it returns', async () => {
    const seen: unknown[] = []
    const app: ConflictResolver = (conflict) => {
      seen.push(conflict)
      return { ...conflict.remote!, title: `${conflict.local?.title} + ${conflict.remote?.title}`, id: 'ignored' }
    }
    const { a, b } = await bothHoldOriginal(app)
    await a.storage.update('notes', 'n', { title: 'A' })
    await b.storage.update('notes', 'n', { title: 'B' })
    await a.autoSync.syncNow()
    await b.autoSync.syncNow()
    await a.autoSync.pull()
    // The key field always names the record, whatever the resolver returned.
    expect(backend.serverNotes().n).toEqual({ ...original, title: 'B + A' })
    expect(await a.notes()).toEqual(await b.notes())
    expect(seen[0]).toMatchObject({
      table: 'notes',
      key: 'n',
      localChangedFields: ['title'],
      local: { title: 'B' },
      remote: { title: 'A' },
    })
  })
})
