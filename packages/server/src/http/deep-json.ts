/** Whether `value` nests objects and arrays deeper than `maxDepth` levels (a record itself is level 1). */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  // Iterative: a recursive walk would overflow the stack on exactly the values this looks for.
  const pending: [unknown, number][] = [[value, 1]]
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!
    if (typeof node !== 'object' || node === null) continue
    if (depth > maxDepth) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1])
    }
  }
  return false
}

type Frame =
  | { array: unknown[]; index: number }
  | { object: Record<string, unknown>; keys: string[]; index: number; wrote: boolean }

/**
 * JSON.stringify without recursion, for parsed JSON data (objects, arrays, strings, finite numbers, booleans, null).
 * V8's JSON.stringify throws RangeError past a few thousand levels; data already stored must still be answerable.
 */
export function stringifyWithoutRecursion(root: unknown): string {
  const parts: string[] = []
  const stack: Frame[] = []
  const open = (value: unknown): void => {
    if (Array.isArray(value)) {
      parts.push('[')
      stack.push({ array: value, index: 0 })
    } else if (typeof value === 'object' && value !== null) {
      parts.push('{')
      stack.push({ object: value as Record<string, unknown>, keys: Object.keys(value), index: 0, wrote: false })
    } else {
      parts.push(JSON.stringify(value) ?? 'null')
    }
  }
  open(root)
  while (stack.length > 0) {
    const frame = stack.at(-1)!
    if ('array' in frame) {
      if (frame.index === frame.array.length) {
        parts.push(']')
        stack.pop()
        continue
      }
      if (frame.index > 0) parts.push(',')
      open(frame.array[frame.index++])
      continue
    }
    if (frame.index === frame.keys.length) {
      parts.push('}')
      stack.pop()
      continue
    }
    const key = frame.keys[frame.index++]!
    const value = frame.object[key]
    if (value === undefined || typeof value === 'function') continue
    parts.push(`${frame.wrote ? ',' : ''}${JSON.stringify(key)}:`)
    frame.wrote = true
    open(value)
  }
  return parts.join('')
}

/** JSON.stringify, falling back to the iterative writer when the value nests too deep for V8. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value)
  } catch (error) {
    if (error instanceof RangeError) return stringifyWithoutRecursion(value)
    throw error
  }
}
