import type { Page } from 'playwright-core'

/** Calls `window.api[method](...args)` in a test page and resolves with what it returns (structured-cloned). */
export function callPage<T>(page: Page, method: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    ([name, parameters]) =>
      (window as unknown as { api: Record<string, (...parts: unknown[]) => unknown> }).api[name as string]!(
        ...(parameters as unknown[]),
      ),
    [method, args] as const,
  ) as Promise<T>
}
