/** Where the floating toggle button sits. */
export type DevtoolsPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left'

export interface DevtoolsOptions {
  /** Corner of the floating toggle button and panel. Default `'bottom-right'`. Ignored with `target`. */
  position?: DevtoolsPosition
  /** Mount inline inside this element instead of floating over the page. Default: a floating host on `document.body`. */
  target?: HTMLElement
  /** Open the panel at once instead of showing only the toggle button. Default `false`. */
  initialOpen?: boolean
  /** Color scheme. Default `'system'` (follows `prefers-color-scheme`). */
  theme?: 'light' | 'dark' | 'system'
  /** Nonce for the `<style>` fallback used where constructable stylesheets are missing (strict CSP). */
  styleNonce?: string
  /** Show record values (a short preview). Default `false`: values are hidden, only tables and keys show. */
  showValues?: boolean
  /** Rewrites a record value before it is previewed (only with `showValues`), e.g. to drop personal fields. */
  sanitize?: (value: unknown) => unknown
  /** Time source for ages and countdowns; pass the engine's clock when it is not the real one. Default `Date.now`. */
  clock?: { now(): number }
}

export interface DevtoolsHandle {
  /** Removes every node, listener and timer the panel added. */
  unmount(): void
}
