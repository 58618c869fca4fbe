/** Applies CSS to a shadow root without inline styles: a constructable stylesheet, else `<style nonce>`. */
export function adoptStyles(root: ShadowRoot, css: string, nonce: string | undefined): () => void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet()
    sheet.replaceSync(css)
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
    return () => {
      root.adoptedStyleSheets = root.adoptedStyleSheets.filter((adopted) => adopted !== sheet)
    }
  }
  const style = document.createElement('style')
  if (nonce) style.nonce = nonce
  style.textContent = css
  root.prepend(style)
  return () => style.remove()
}

export const hostCss = `:host{all:initial;--as-bg:#fff;--as-fg:#1f2328;--as-muted:#656d76;--as-line:#d0d7de;--as-accent:#0969da;--as-ok:#1a7f37;--as-warn:#9a6700;--as-bad:#cf222e;--as-soft:#f6f8fa;font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--as-fg)}
:host(.dark){--as-bg:#0d1117;--as-fg:#e6edf3;--as-muted:#8d96a0;--as-line:#30363d;--as-accent:#4493f8;--as-ok:#3fb950;--as-warn:#d29922;--as-bad:#f85149;--as-soft:#161b22}
@media (prefers-color-scheme:dark){:host(.system){--as-bg:#0d1117;--as-fg:#e6edf3;--as-muted:#8d96a0;--as-line:#30363d;--as-accent:#4493f8;--as-ok:#3fb950;--as-warn:#d29922;--as-bad:#f85149;--as-soft:#161b22}}
:host(.floating){position:fixed;z-index:2147483646}
:host(.bottom-right){right:16px;bottom:16px}:host(.bottom-left){left:16px;bottom:16px}
:host(.top-right){right:16px;top:16px}:host(.top-left){left:16px;top:16px}
.wrap{display:flex;flex-direction:column;gap:8px;align-items:flex-end}
:host(.bottom-left) .wrap,:host(.top-left) .wrap,:host(.inline) .wrap{align-items:flex-start}
:host(.top-right) .wrap,:host(.top-left) .wrap{flex-direction:column-reverse}
.toggle{display:inline-flex;align-items:center;gap:6px;font:inherit;font-weight:600;color:var(--as-fg);background:var(--as-bg);border:1px solid var(--as-line);border-radius:999px;padding:6px 12px;cursor:pointer;box-shadow:0 2px 8px rgb(0 0 0/.15)}
.toggle:focus-visible{outline:2px solid var(--as-accent);outline-offset:2px}
.dot{width:8px;height:8px;border-radius:50%;background:var(--as-muted)}
.toggle[data-phase=idle] .dot{background:var(--as-ok)}
.toggle[data-phase=buffering] .dot,.toggle[data-phase=throttled] .dot,.toggle[data-phase=syncing] .dot{background:var(--as-accent)}
.toggle[data-phase=backoff] .dot,.toggle[data-phase=offline] .dot{background:var(--as-warn)}
.toggle[data-phase=disabled] .dot,.toggle[data-dead-letters] .dot{background:var(--as-bad)}`
