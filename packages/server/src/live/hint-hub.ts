/** One open `/events` stream, as the hub sees it. */
export interface LiveStream {
  readonly userId: string
  /** Tells the client new changes may exist, pushed by `clientId` (which skips its own). */
  hint(clientId: string): void
  /** Ends the stream cleanly (the client reconnects and pulls). */
  end(): void
}

export type OpenOutcome = 'opened' | 'user-limit' | 'instance-limit'

/**
 * The `/events` streams of this instance, by user. A committed push of a user hints every stream of that user;
 * limits per user and per instance keep a flood of streams from exhausting the process.
 */
export function createHintHub(limits: { maxStreamsPerUser: number; maxStreams: number }) {
  const byUser = new Map<string, Set<LiveStream>>()
  let total = 0
  return {
    open(stream: LiveStream): OpenOutcome {
      const streams = byUser.get(stream.userId) ?? new Set<LiveStream>()
      if (streams.size >= limits.maxStreamsPerUser) return 'user-limit'
      if (total >= limits.maxStreams) return 'instance-limit'
      streams.add(stream)
      byUser.set(stream.userId, streams)
      total++
      return 'opened'
    },
    close(stream: LiveStream): void {
      const streams = byUser.get(stream.userId)
      if (!streams?.delete(stream)) return
      total--
      if (streams.size === 0) byUser.delete(stream.userId)
    },
    publish(userId: string, clientId: string): void {
      for (const stream of byUser.get(userId) ?? []) stream.hint(clientId)
    },
    /** Ends every stream: on shutdown, or when hints from other instances may have been lost. */
    endAll(): void {
      for (const streams of [...byUser.values()]) for (const stream of [...streams]) stream.end()
    },
    get size(): number {
      return total
    },
  }
}

export type HintHub = ReturnType<typeof createHintHub>
