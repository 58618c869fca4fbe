// Seeded two-device chaos: random edits, syncs and pulls under ~30 % injected faults (lost acknowledgements, failed
// pages, crashes mid-page, reopened databases), then a fault-free settle. CHAOS_SEED=<n> replays one seed.
import { afterEach, describe, expect, it } from 'vitest'
import { AdapterError } from '../../src/errors'
import { seededRandom } from '../../src/testing'
import { type ConflictResolver, clientWins, lastWriteWins, mergeFields, serverWins } from '../../src/two-way'
import { crashAtPut, createBackend, type Device } from './devices'

const policies: [string, () => ConflictResolver][] = [
  ['lastWriteWins', lastWriteWins],
  ['serverWins', serverWins],
  ['clientWins', clientWins],
  ['mergeFields', mergeFields],
]
const seeds = process.env.CHAOS_SEED
  ? [Number(process.env.CHAOS_SEED)]
  : Array.from({ length: 20 }, (_, i) => 9_001 + i)
const keys = ['k0', 'k1', 'k2', 'k3']
const fields = ['a', 'b', 'c']
type Note = Record<string, unknown>

let restorePut: (() => void) | undefined
let backend: Awaited<ReturnType<typeof createBackend>> | undefined
afterEach(async () => {
  restorePut?.()
  restorePut = undefined
  await backend?.closeAll()
  backend = undefined
})

async function runChaos(seed: number) {
  const random = seededRandom(seed)
  const chance = (probability: number) => random() < probability
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!
  const [policyName, policy] = policies[seed % policies.length]!
  const conditionalWrites = Math.floor(seed / 4) % 2 === 0
  let faults = true
  const fault = () => new AdapterError('injected', { kind: 'server', retryable: true, status: 503 })
  backend = await createBackend({
    resolve: policy(),
    adapter: {
      conditionalWrites,
      onPull: () => {
        if (faults && chance(0.3)) throw fault()
      },
    },
  })
  const { adapter, clock } = backend
  // Lost acknowledgements: the backend applies the push, the device never hears back.
  const realPush = adapter.push.bind(adapter)
  adapter.push = async (batch, context) => {
    if (faults && chance(0.15)) throw fault()
    const result = await realPush(batch, context)
    if (faults && chance(0.15)) throw fault()
    return result
  }
  const devices: Device[] = [await backend.openDevice('a'), await backend.openDevice('b')]
  // The model: every write with its device clock, so last-write-wins has one right answer per key.
  const latest = new Map<string, { at: number; value: Note | null }>()
  const written = new Map<string, Set<unknown>>()
  const remember = (key: string, value: Note | null, at: number) => {
    latest.set(key, { at, value })
    for (const [field, fieldValue] of Object.entries(value ?? {})) {
      const seen = written.get(`${key}.${field}`) ?? new Set()
      seen.add(fieldValue)
      written.set(`${key}.${field}`, seen)
    }
  }

  for (let step = 0; step < 120; step++) {
    await clock.advance(1)
    const index = Math.floor(random() * devices.length)
    const device = devices[index]!
    const roll = random()
    const key = pick(keys)
    if (roll < 0.45) {
      const current = (await device.storage.get('notes', key)) as Note | undefined
      if (current && chance(0.6)) {
        await device.storage.update('notes', key, { [pick(fields)]: `${device.name}${step}` })
      } else {
        await device.storage.put('notes', { id: key, userId: 'u1', [pick(fields)]: `${device.name}${step}` })
      }
      remember(key, ((await device.storage.get('notes', key)) as Note) ?? null, clock.now())
    } else if (roll < 0.55) {
      if (await device.storage.get('notes', key)) {
        await device.storage.delete('notes', key)
        remember(key, null, clock.now())
      }
    } else if (roll < 0.85) {
      if (chance(0.1)) restorePut = crashAtPut(1 + Math.floor(random() * 12))
      await device.autoSync.syncNow().catch(() => {})
      restorePut?.()
    } else if (roll < 0.95) {
      await device.autoSync.pull().catch(() => {})
    } else {
      // A reload: the same database reopened by a new engine.
      await device.close()
      devices[index] = await backend.openDevice(device.name, device.indexedDB)
    }
  }

  faults = false
  for (let round = 0; round < 4; round++) {
    for (const device of devices) await device.autoSync.syncNow()
  }
  const server = backend.serverNotes()
  const states = await Promise.all(devices.map((device) => device.notes()))
  return { policyName, conditionalWrites, server, states, latest, written, devices }
}

describe.each(seeds)('two-device chaos, seed %i', (seed) => {
  it(`converges to the policy's answer (${policies[seed % policies.length]![0]}, conditional writes: ${Math.floor(seed / 4) % 2 === 0})`, async () => {
    const outcome = await runChaos(seed)
    const context = `seed ${seed} (${outcome.policyName}, conditional writes ${outcome.conditionalWrites}); replay with CHAOS_SEED=${seed}`
    for (const state of outcome.states) expect(state, context).toEqual(outcome.server)
    for (const device of outcome.devices) expect(await device.pending(), context).toBe(0)
    for (const [key, value] of Object.entries(outcome.server)) {
      // Nothing invented: every field holds a value some device wrote to that record.
      for (const [field, fieldValue] of Object.entries(value)) {
        if (field === 'id' || field === 'userId') continue
        expect(outcome.written.get(`${key}.${field}`)?.has(fieldValue), `${context}: ${key}.${field}`).toBe(true)
      }
    }
    if (outcome.policyName === 'lastWriteWins') {
      // The model: each record ends as its latest write left it (absent after a delete).
      const expected = Object.fromEntries(
        [...outcome.latest.entries()].flatMap(([key, write]) => (write.value ? [[key, write.value]] : [])),
      )
      expect(outcome.server, context).toEqual(expected)
    }
  })
})
