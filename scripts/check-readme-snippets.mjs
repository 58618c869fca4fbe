// Every TypeScript block (```ts / ```tsx) in the READMEs is type-checked under `strict` against the packages'
// sources, so a README can no longer drift from the API. A block is a module of its own; what an app would
// provide itself (its session, its auth) is declared once in the preamble below. A block that is deliberately
// a fragment says so with `// not checked: <why>` on its first line.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'

const root = new URL('..', import.meta.url).pathname
const readmes = [
  'README.md',
  ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}/README.md`),
  ...readdirSync(join(root, 'examples')).map((name) => `examples/${name}/README.md`),
].filter((file) => {
  try {
    readFileSync(join(root, file))
    return true
  } catch {
    return false
  }
})

/**
 * What README examples take as given: the app's own things (its session, its auth) and the values earlier
 * examples on the page created (`storage`, `adapter`, `autoSync`). Globals, so an example that creates its own
 * shadows them.
 */
const globals = `
import type { AutoSync, Storage, SyncAdapter } from '@autosync/core'
declare global {
  const session: { token: string; userId: string }
  const auth: {
    token(forceRefresh?: boolean): Promise<string>
    getIdToken(forceRefresh?: boolean): Promise<string>
    currentUser: { uid: string } | null
  }
  const storage: Storage
  const adapter: SyncAdapter
  const autoSync: AutoSync
  const userId: string
  function verifyWithYourIdentityProvider(token: string): Promise<{ userId: string } | null>
  function getCredentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: number }>
  function fetchTemporaryCredentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: number }>
}
export {}
`
// Inside the repository, so imports resolve to the workspace packages (their TypeScript source).
const folder = join(root, 'node_modules', '.cache', 'readme-snippets')
rmSync(folder, { recursive: true, force: true })
mkdirSync(folder, { recursive: true })
const files = [join(folder, 'globals.d.ts')]
writeFileSync(files[0], globals)
const origin = new Map()
for (const readme of readmes) {
  const lines = readFileSync(join(root, readme), 'utf8').split('\n')
  for (let index = 0; index < lines.length; index++) {
    const fence = /^```(ts|tsx|typescript)\s*$/.exec(lines[index])
    if (!fence) continue
    const start = index + 1
    let end = start
    while (end < lines.length && !lines[end].startsWith('```')) end++
    const body = lines.slice(start, end)
    index = end
    if (/^\/\/ not checked:/.test(body[0] ?? '')) continue
    const file = join(folder, `${readme.replaceAll('/', '_')}_${start + 1}.${fence[1] === 'tsx' ? 'tsx' : 'ts'}`)
    // `export {}` makes each block a module (top-level await, no clashes between blocks).
    writeFileSync(file, `${body.join('\n')}\nexport {}\n`)
    files.push(file)
    origin.set(file, { readme, line: start + 1 })
  }
}

const options = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  customConditions: ['@autosync/source'],
  allowImportingTsExtensions: true,
  jsx: ts.JsxEmit.ReactJSX,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: [],
  skipLibCheck: true,
  noUnusedLocals: false,
}
const program = ts.createProgram(files, options)
const problems = ts
  .getPreEmitDiagnostics(program)
  .filter((diagnostic) => diagnostic.file && files.includes(diagnostic.file.fileName))
  .map((diagnostic) => {
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
    const where = origin.get(diagnostic.file.fileName)
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')
    if (!where) return `${diagnostic.file.fileName}:${line + 1} TS${diagnostic.code}: ${text}`
    return `${where.readme}:${where.line + line} TS${diagnostic.code}: ${text}`
  })
if (problems.length > 0) {
  console.error(`README snippets that do not type-check (${problems.length}):\n${problems.join('\n')}`)
  process.exit(1)
}
console.log(
  `README snippets: ${files.length - 1} TypeScript blocks type-check under strict (${relative(root, folder)})`,
)
