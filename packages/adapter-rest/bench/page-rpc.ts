// Calls into a page over plain HTTP: the page polls for the next call and posts its answer. A browser driven this way
// runs with no DevTools client attached, whose network tracking would slow its fetches.
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface PageCall {
  id: number
  method: string
  parameters: unknown[]
}

export interface PageAnswer {
  id: number
  value?: unknown
  error?: string
}

const readJson = async (request: IncomingMessage) => {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString()) as PageAnswer
}

/** The Node side: `handler` serves `GET next` and `POST answer`; `call` resolves with the page's answer. */
export function createPageRpc() {
  const queued: PageCall[] = []
  const waitingPolls: ServerResponse[] = []
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  let nextId = 0
  let pageReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    pageReady = resolve
  })
  const deliver = () => {
    while (queued.length > 0 && waitingPolls.length > 0) {
      const response = waitingPolls.shift()!
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(queued.shift()))
    }
  }
  return {
    /** Resolves once the page asked for its first call. */
    ready,
    handler(request: IncomingMessage, response: ServerResponse): void {
      if (request.method === 'GET' && request.url === '/next') {
        pageReady()
        waitingPolls.push(response)
        deliver()
        return
      }
      if (request.method === 'POST' && request.url === '/answer') {
        void readJson(request).then((answer) => {
          const caller = pending.get(answer.id)
          pending.delete(answer.id)
          if (answer.error !== undefined) caller?.reject(new Error(`bench page: ${answer.error}`))
          else caller?.resolve(answer.value)
          response.writeHead(204).end()
        })
        return
      }
      response.writeHead(404).end()
    },
    call(method: string, parameters: unknown[]): Promise<unknown> {
      const id = ++nextId
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject })
        queued.push({ id, method, parameters })
        deliver()
      })
    },
    /** Ends the page's open poll so the server can close. */
    close(): void {
      for (const response of waitingPolls.splice(0)) response.writeHead(204).end()
    },
  }
}

/** The page side: runs each call on `methods` and posts the answer, until a poll comes back empty. */
export async function servePageCalls(base: string, methods: Record<string, (...parameters: never[]) => unknown>) {
  for (;;) {
    const poll = await fetch(`${base}next`)
    if (poll.status !== 200) return
    const { id, method, parameters } = (await poll.json()) as PageCall
    let answer: PageAnswer
    try {
      answer = { id, value: await methods[method]!(...(parameters as never[])) }
    } catch (error) {
      answer = { id, error: String((error as Error)?.stack ?? error) }
    }
    await fetch(`${base}answer`, { method: 'POST', body: JSON.stringify(answer) })
  }
}
