import { isString } from './json'

/**
 * `baseUrl` + the percent-encoded segments, or undefined when a segment could climb out of `baseUrl`
 * (`.`, `..`, empty, not a string) or the result does not stay under it.
 */
export function buildUrl(baseUrl: URL, segments: readonly unknown[]): URL | undefined {
  if (segments.every((segment) => isString(segment) && !/^\.{0,2}$/.test(segment))) {
    const url = new URL((segments as string[]).map(encodeURIComponent).join('/'), baseUrl)
    if (url.href.startsWith(baseUrl.href)) return url
  }
}

/** The URL as errors show it: no query (it can carry API keys). */
export const describeUrl = (url: URL) => url.origin + url.pathname
