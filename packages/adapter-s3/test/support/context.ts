import type { AdapterContext } from '@autosync/core'
import { silentLogger } from '@autosync/core'

export function adapterContext(
  userId: string,
  clientId = 'device-a',
  signal = new AbortController().signal,
): AdapterContext {
  return { signal, userId, clientId, logger: silentLogger }
}
