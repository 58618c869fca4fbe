import type { AdapterContext } from '@autosync/core'
import ky from 'ky'
import { AdapterError, describe } from './errors'
import type { ResolvedOptions } from './options'
import { describeUrl } from './url'

/** The answer and its whole body, read under the same timeout as the request. */
export type Answer = [response: Response, text: string]

/** A body and the headers that go with it (at least its content type). */
export type RequestBody = [body: string, headers: Record<string, string>]

type Token = string | null | undefined

export type Send = (method: string, url: URL, context: AdapterContext, body?: RequestBody) => Promise<Answer>

/**
 * One HTTP exchange with auth: a token before every request; on 401 one refresh shared by every request that
 * sent the same token, then one retry. Network failures and timeouts become retryable AdapterErrors; an abort
 * of `context.signal` rethrows its reason. Statuses are the caller's to classify.
 */
export function createSend({ fetch, getToken, clock, timeoutMs, headers }: ResolvedOptions): Send {
  // Never followed: another origin would receive the records, and its answer would ack them.
  const http = ky.create({ retry: 0, timeout: false, throwHttpErrors: false, fetch, redirect: 'manual' })
  let refresh: [from: Token, token: Promise<Token>] | undefined
  // While getToken keeps giving the token a refresh replaced, the refreshed one is sent instead.
  let stale: Token
  let fresh: Token

  const exchange = async (method: string, url: URL, context: AdapterContext, token: Token, body?: RequestBody) => {
    // A value fetch refuses would otherwise come back inside fetch's error message, token included.
    if (token && !/^[\x21-\x7e]+$/.test(token)) {
      throw new AdapterError('[autosync] [rest] getToken returned a value that is not a valid bearer token', {
        kind: 'auth',
        retryable: false,
      })
    }
    const timeout = new AbortController()
    const handle = clock.setTimeout(() => timeout.abort(), timeoutMs)
    try {
      const response = await http(url, {
        method,
        headers: { ...headers, ...body?.[1], ...(token && { authorization: `Bearer ${token}` }) },
        body: body?.[0],
        signal: AbortSignal.any([context.signal, timeout.signal]),
      })
      // A browser hides a manual redirect's status and Location (an opaque answer with status 0).
      if (response.type === 'opaqueredirect' || (response.status > 299 && response.status < 400)) {
        const location = response.headers.get('location')
        throw new AdapterError(
          describe(method, url, `redirected to ${location ? describeUrl(new URL(location, url)) : '?'}: fix baseUrl`),
          { kind: 'protocol', retryable: true },
        )
      }
      const text = await response.text()
      // A server may echo the request in an error or a reason: the token never travels further than here.
      return [
        response,
        token && (method !== 'GET' || !response.ok) ? text.replaceAll(token, '[redacted]') : text,
      ] as Answer
    } catch (error) {
      if (context.signal.aborted || AdapterError.isInstance(error)) throw context.signal.reason ?? error
      const timedOut = timeout.signal.aborted
      // fetch's own error never carries request headers, so it is a safe cause.
      throw new AdapterError(describe(method, url, timedOut ? `timed out after ${timeoutMs} ms` : 'failed (network)'), {
        kind: timedOut ? 'timeout' : 'network',
        retryable: true,
        cause: error,
      })
    } finally {
      clock.clearTimeout(handle)
    }
  }

  return async (method, url, context, body) => {
    const { userId } = context
    const given = await getToken?.({ forceRefresh: false, userId })
    let token = given === stale ? fresh : given
    let answer = await exchange(method, url, context, token, body)
    if (answer[0].status === 401 && getToken) {
      if (refresh?.[0] !== token) {
        const next = Promise.resolve(getToken({ forceRefresh: true, userId }))
        // A failed refresh is not reused by the next 401.
        // A failed refresh, or one that gave back the refused token, is not reused: the next 401 asks again.
        next.then(
          (refreshed) => {
            if (refreshed === token && refresh?.[1] === next) refresh = undefined
          },
          () => {
            if (refresh?.[1] === next) refresh = undefined
          },
        )
        refresh = [token, next]
      }
      token = await refresh![1]
      stale = given
      fresh = token
      answer = await exchange(method, url, context, token, body)
    }
    return answer
  }
}
