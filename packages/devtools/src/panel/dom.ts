import { displayText } from './format'

type Child = Node | string | null | undefined | false

/** Creates an element; strings become text nodes (redacted and capped), never HTML. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (className) node.className = className
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    node.append(typeof child === 'string' ? document.createTextNode(displayText(child)) : child)
  }
  return node
}

export function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const node = element('button', className, label)
  node.type = 'button'
  node.addEventListener('click', onClick)
  return node
}

/** A table with a header row; rows are arrays of cells (text or nodes). */
export function table(headers: string[], rows: Child[][]): HTMLTableElement {
  const head = element('tr', undefined, ...headers.map((header) => element('th', undefined, header)))
  const body = element('tbody')
  // Short values never break mid-word; long ones (keys, messages) wrap anywhere instead of widening the panel.
  const cell = (content: Child) =>
    element('td', typeof content === 'string' && content.length <= 24 ? 'short' : undefined, content)
  for (const row of rows) body.append(element('tr', undefined, ...row.map(cell)))
  return element('table', undefined, element('thead', undefined, head), body)
}

/** A titled section; `total` above the shown rows adds a "+N more" line so long lists stay cheap. */
export function section(name: string, title: string, shown: number, total: number, content: () => Node, empty: string) {
  const heading = element('h3', undefined, title, element('span', 'count', String(total)))
  const more = total > shown ? element('p', 'more', `+${total - shown} more not shown`) : null
  const node = element('section', undefined, heading, total === 0 ? element('p', 'empty', empty) : content(), more)
  node.setAttribute('data-section', name)
  return node
}

export function badge(text: string, tone: 'ok' | 'info' | 'warn' | 'bad' | 'muted'): HTMLElement {
  return element('span', `badge ${tone}`, text)
}
