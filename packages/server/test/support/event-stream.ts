/** A `GET /events` stream read with fetch, as a browser reads it: the events as they arrive. */
export async function openEvents(url: string, token: string | null) {
  const controller = new AbortController()
  const response = await fetch(`${url}/events`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
  const received: string[] = []
  let ended = false
  const waiters: (() => void)[] = []
  const notify = () => {
    for (const waiter of waiters.splice(0)) waiter()
  }
  if (response.ok && response.body) {
    void (async () => {
      const decoder = new TextDecoder()
      let buffered = ''
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffered += decoder.decode(chunk, { stream: true })
          let boundary = buffered.indexOf('\n\n')
          while (boundary >= 0) {
            received.push(buffered.slice(0, boundary))
            buffered = buffered.slice(boundary + 2)
            boundary = buffered.indexOf('\n\n')
          }
          notify()
        }
      } catch {
        // Aborted by the test or cut by the server: `ended` says so.
      }
      ended = true
      notify()
    })()
  }
  /** Waits until `check` holds on what arrived; the server's behaviour ends the wait, never a timer here. */
  const until = async (check: () => boolean) => {
    while (!check()) {
      if (ended) throw new Error(`the stream ended first; received: ${JSON.stringify(received)}`)
      await new Promise<void>((resolve) => waiters.push(resolve))
    }
  }
  return {
    response,
    received,
    events: () =>
      received.filter((block) => block.startsWith('event: ')).map((block) => block.split('\n')[0]!.slice(7)),
    until,
    untilEnded: async () => {
      while (!ended) await new Promise<void>((resolve) => waiters.push(resolve))
    },
    close: () => controller.abort(),
  }
}
