import {
  collection,
  doc,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  terminate,
  where,
  writeBatch,
} from 'firebase/firestore'
import { afterAll, expect, it } from 'vitest'
import { startEmulator } from './support/emulator'
import { firestoreOn } from './support/firestore'

const emulator = await startEmulator()
const firestore = firestoreOn(emulator)
afterAll(async () => {
  await terminate(firestore)
  emulator.stop()
})

it('setDoc, getDoc and serverTimestamp work through the streaming Write RPC', async () => {
  await setDoc(doc(firestore, 'users/u1/notes/a'), { text: 'a', updatedAt: serverTimestamp() })
  const snapshot = await getDoc(doc(firestore, 'users/u1/notes/a'))
  expect(snapshot.get('text')).toBe('a')
  expect(snapshot.get('updatedAt')?.toMillis()).toBeGreaterThan(0)
})

it('a writeBatch of 500 commits, and where + orderBy + limit pages through it', async () => {
  const batch = writeBatch(firestore)
  for (let index = 0; index < 500; index++)
    batch.set(doc(firestore, `users/u2/notes/n${String(index).padStart(3, '0')}`), { index })
  await batch.commit()
  const page = await getDocs(
    query(collection(firestore, 'users/u2/notes'), where('index', '>', 100), orderBy('index'), limit(10)),
  )
  expect(page.docs.map((snapshot) => snapshot.get('index'))).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110])
})

it('onSnapshot on two queries of one stream hears both', async () => {
  const seen: string[] = []
  let resolveBoth!: () => void
  const both = new Promise<void>((resolve) => {
    resolveBoth = resolve
  })
  const check = () => {
    if (seen.includes('x') && seen.includes('y')) resolveBoth()
  }
  const stopX = onSnapshot(collection(firestore, 'users/u3/x'), (snapshot) => {
    for (const change of snapshot.docChanges()) seen.push(change.doc.id)
    check()
  })
  const stopY = onSnapshot(collection(firestore, 'users/u3/y'), (snapshot) => {
    for (const change of snapshot.docChanges()) seen.push(change.doc.id)
    check()
  })
  await setDoc(doc(firestore, 'users/u3/x/x'), { v: 1 })
  await setDoc(doc(firestore, 'users/u3/y/y'), { v: 1 })
  await both
  stopX()
  stopY()
})

it('a transaction reads and writes (Commit)', async () => {
  await setDoc(doc(firestore, 'users/u4/notes/t'), { n: 1 })
  await runTransaction(firestore, async (transaction) => {
    const current = await transaction.get(doc(firestore, 'users/u4/notes/t'))
    transaction.set(doc(firestore, 'users/u4/notes/t'), { n: (current.get('n') as number) + 1, at: serverTimestamp() })
  })
  expect((await getDoc(doc(firestore, 'users/u4/notes/t'))).get('n')).toBe(2)
})
