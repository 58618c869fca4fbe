/**
 * The Firestore emulator for tests: `@firestore-emulator/server` (a Node implementation of the Firestore v1 gRPC
 * API) plus the three things it lacks that the real `firebase` SDK needs (BACKENDS.md, Firestore):
 * - the streaming `Write` RPC (every `setDoc`/`writeBatch` goes through it): a handshake, then each request's writes
 *   are applied with the emulator's own commit logic;
 * - `Listen` serving every target of a stream, not only the first (`onSnapshot` on several queries shares one);
 * - `transform_results` in write results, so `serverTimestamp()` writes are answered as the SDK expects.
 * The patches replace the emulator's registered gRPC handlers; its state and query engine are used as they are.
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import {
  CommitResponse,
  ListenResponse,
  TargetChangeTargetChangeType as TargetChangeType,
  WriteResponse,
} from '@firestore-emulator/proto/dist/google/firestore/v1/firestore'
import { FirestoreServer } from '@firestore-emulator/server'
import { type Server, ServerCredentials } from '@grpc/grpc-js'

type Handler = { func: (...parts: never[]) => unknown }
type Write = {
  update?: { name: string }
  has_update: boolean
  delete?: string
  update_transforms: { field_path: string }[]
}
type ListenRequest = { has_remove_target: boolean; remove_target: number; add_target: { target_id: number } }
type State = FirestoreServer['state'] & {
  writeV1Document(date: Date, write: Write): { toObject(): Record<string, unknown> }
  getDocument(path: string): { getField(path: string): { toV1ValueObject(): unknown } | undefined }
  v1Listen(request: unknown, send: (response: unknown) => void, onEnd: (handler: () => void) => void): void
}

const timestamp = (date: Date) => ({
  seconds: Math.floor(date.getTime() / 1000),
  nanos: (date.getTime() % 1000) * 1_000_000,
})

/** Applies writes like the emulator's Commit, and fills each result's transform_results from the stored fields. */
let commits = 0

function applyWrites(state: State, writes: Write[], date: Date) {
  if (writes.some((write) => write.has_update || (write as { has_delete?: boolean }).has_delete)) commits++
  return writes.map((write) => {
    // A transaction's `verify` of a document it read and did not write (a field this emulator's protos lack, so it
    // arrives as neither update nor delete): nothing to apply; its precondition is not checked.
    if (!write.has_update && !(write as { has_delete?: boolean }).has_delete) {
      return { update_time: timestamp(date), transform_results: [] }
    }
    const result = state.writeV1Document(date, write).toObject()
    const name = write.has_update ? write.update!.name : undefined
    const transforms = name
      ? write.update_transforms.map((transform) =>
          state.getDocument(name).getField(transform.field_path)?.toV1ValueObject(),
        )
      : []
    return { ...result, transform_results: transforms }
  })
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer()
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })

export async function startEmulator() {
  const emulator = new FirestoreServer()
  const state = emulator.state as State
  const handlers = (emulator as unknown as { server: { handlers: Map<string, Handler> } }).server.handlers
  const replace = (method: string, func: Handler['func']) => {
    const handler = handlers.get(`/google.firestore.v1.Firestore/${method}`)
    if (!handler) throw new Error(`the emulator has no ${method} handler to replace`)
    handler.func = func
  }
  replace('Write', ((call: {
    on(event: 'data', listener: (request: { writes: Write[] }) => void): void
    on(event: 'end', listener: () => void): void
    write(response: unknown): void
    end(): void
    emit(event: 'error', error: unknown): void
  }) => {
    const streamId = randomBytes(8).toString('hex')
    let token = 0
    const nextToken = () => Buffer.from(String(++token))
    call.on('data', (request) => {
      try {
        const date = new Date()
        const results = request.writes.length > 0 ? applyWrites(state, request.writes, date) : []
        call.write(
          WriteResponse.fromObject({
            stream_id: streamId,
            stream_token: nextToken(),
            write_results: results as never,
            ...(request.writes.length > 0 ? { commit_time: timestamp(date) } : {}),
          }),
        )
      } catch (error) {
        call.emit('error', { code: (error as { code?: number }).code ?? 13, details: String((error as Error).message) })
      }
    })
    call.on('end', () => call.end())
  }) as Handler['func'])
  replace('Listen', ((call: {
    on(event: 'data', listener: (request: ListenRequest) => void): void
    once(event: 'end', listener: () => void): void
    write(response: unknown): void
  }) => {
    // Per target: what to undo when it is removed (the emulator's own Listen serves one target and never removes).
    const cleanups = new Map<number, (() => void)[]>()
    call.on('data', (request) => {
      if (request.has_remove_target) {
        for (const cleanup of cleanups.get(request.remove_target) ?? []) cleanup()
        cleanups.delete(request.remove_target)
        call.write(
          ListenResponse.fromObject({
            target_change: { target_change_type: TargetChangeType.REMOVE, target_ids: [request.remove_target] },
          }),
        )
        return
      }
      const target = request.add_target.target_id
      cleanups.set(target, [])
      state.v1Listen(
        request,
        (response) => call.write(response),
        (handler) => cleanups.get(target)?.push(handler),
      )
    })
    call.once('end', () => {
      for (const list of cleanups.values()) for (const cleanup of list) cleanup()
      cleanups.clear()
    })
  }) as Handler['func'])
  replace('Commit', ((
    call: { request: { writes: Write[] } },
    callback: (error: unknown, response?: unknown) => void,
  ) => {
    try {
      const date = new Date()
      const results = applyWrites(state, call.request.writes, date)
      callback(null, CommitResponse.fromObject({ commit_time: timestamp(date), write_results: results as never }))
    } catch (error) {
      callback({ code: (error as { code?: number }).code ?? 13, details: String((error as Error).message) })
    }
  }) as Handler['func'])
  const port = await freePort()
  // Loopback only (the emulator's own start() binds every interface).
  const grpcServer = (emulator as unknown as { server: Server }).server
  await new Promise<void>((resolve, reject) =>
    grpcServer.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  )
  return {
    host: '127.0.0.1',
    port,
    /** Commits applied so far (each Write-stream request with writes, each Commit). */
    commits: () => commits,
    /** The raw state, for writing documents the way another backend client would. */
    state,
    /** Forgets every document. */
    clear: () => state.clear(),
    stop: () => emulator.stop(),
  }
}
