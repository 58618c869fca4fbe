const dangerousKeys = new Set(['__proto__', 'constructor', 'prototype'])

/** JSON.parse that drops `__proto__`, `constructor` and `prototype` keys, so a payload can never reach a prototype. */
export function parseJsonSafely<T = unknown>(text: string): T {
  return JSON.parse(text, (key, value) => (dangerousKeys.has(key) ? undefined : value)) as T
}
