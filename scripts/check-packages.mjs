// What a consumer installs: every published workspace package is built and packed, then checked the way a user
// would meet it: publint, are-the-types-wrong (TypeScript resolution for `import` and `require`), the LICENSE
// in the tarball, and each `exports` entry bundled by esbuild without a warning. Offline; fails on any problem.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const bin = (name) => join(root, 'node_modules', '.bin', name)
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })

run(bin('turbo'), ['run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], { stdio: 'inherit' })

const scratch = mkdtempSync(join(tmpdir(), 'autosync-packages-'))
const problems = []
let checked = 0
try {
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const folder = join(root, 'packages', name)
    let manifest
    try {
      manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'))
    } catch {
      continue
    }
    if (manifest.private) continue
    checked++
    const tarball = join(
      scratch,
      run('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: folder }).trim(),
    )
    const files = run('tar', ['-tzf', tarball]).split('\n')
    if (!files.includes('package/LICENSE')) problems.push(`${manifest.name}: the tarball has no LICENSE`)
    // Test code lives under test/: a test file or helper in src/ would be type-checked and bundled as product.
    const testsInSource = readdirSync(join(folder, 'src'), { recursive: true }).filter((file) =>
      /\.test\.tsx?$/.test(String(file)),
    )
    if (testsInSource.length > 0) problems.push(`${manifest.name}: test code in src/: ${testsInSource.join(', ')}`)
    try {
      run(bin('publint'), ['run', tarball, '--strict'])
    } catch (error) {
      problems.push(`${manifest.name}: publint\n${error.stdout}${error.stderr}`)
    }
    try {
      // node16 covers Node's `import` and `require` resolution and bundlers; node10 cannot read `exports` subpaths.
      // Code entries only (`./openapi.yaml` and `./package.json` have no types to check).
      const entries = Object.entries(manifest.exports ?? {}).filter(([, target]) => typeof target === 'object')
      const entrypoints = ['--entrypoints', ...entries.map(([entry]) => entry)]
      run(bin('attw'), [tarball, '--profile', 'node16', '--format', 'ascii', '--no-color', ...entrypoints])
    } catch (error) {
      problems.push(`${manifest.name}: are-the-types-wrong\n${error.stdout}${error.stderr}`)
    }
    const external = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]
    for (const [entry, conditions] of Object.entries(manifest.exports ?? {})) {
      const file = conditions?.import?.default
      if (!file?.endsWith('.js')) continue
      const result = await build({
        entryPoints: [join(folder, file)],
        bundle: true,
        write: false,
        format: 'esm',
        platform: name === 'server' ? 'node' : 'browser',
        external: ['node:*', ...external, ...external.map((dependency) => `${dependency}/*`)],
        logLevel: 'silent',
      })
      for (const warning of result.warnings) problems.push(`${manifest.name} ${entry}: esbuild warns: ${warning.text}`)
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
if (problems.length > 0) {
  console.error(problems.join('\n\n'))
  process.exit(1)
}
console.log(`packages: ${checked} packed; publint, are-the-types-wrong, LICENSE and esbuild bundles all clean`)
