import { readFileSync } from 'node:fs'

/** The seed document the project was created from, kept verbatim in the repository. */
export const seedPath = new URL('../../../../test/seed/000_1a8d237caebcc90c.txt', import.meta.url)

/** The seed's import paths (its app's `@/` aliases) and the package that serves each. */
const importPaths: Record<string, string> = {
  '@/hooks/use-cloud-sync': '@autosync/react',
  '@/lib/auto-sync-service': '@autosync/core/compat',
  '@/lib/storage-events': '@autosync/core/compat',
}

export interface SeedSnippets {
  basicSetup: string
  manualServiceControl: string
  storageEvents: string
}

/** The code block under a `###` heading of the seed's Usage section, exactly as written there. */
function blockUnder(document: string, heading: string): string {
  const start = document.indexOf(`### ${heading}\n`)
  if (start < 0) throw new Error(`The seed has no "### ${heading}" section`)
  const open = document.indexOf('```typescript\n', start)
  const close = document.indexOf('\n```', open + 1)
  if (open < 0 || close < 0) throw new Error(`The seed's "${heading}" section has no typescript block`)
  return document.slice(open + '```typescript\n'.length, close + 1)
}

/** Replaces the seed's import paths with the packages' and nothing else; refuses a block with none to replace. */
export function withPackageImports(snippet: string): string {
  let replaced = 0
  const result = snippet.replace(/from '(@\/[^']+)'/g, (whole, path: string) => {
    const target = importPaths[path]
    if (!target) throw new Error(`The seed imports ${path}, which no package serves`)
    replaced += 1
    return `from '${target}'`
  })
  if (replaced === 0) throw new Error('The snippet imports nothing from the seed app')
  return result
}

/** The three usage snippets of the seed, as written there. */
export function readSeedSnippets(): SeedSnippets {
  const document = readFileSync(seedPath, 'utf8')
  return {
    basicSetup: blockUnder(document, 'Basic Setup'),
    manualServiceControl: blockUnder(document, 'Manual Service Control'),
    storageEvents: blockUnder(document, 'Listening to Storage Events'),
  }
}
