#!/usr/bin/env node
// The README's two commands, for a fresh machine with Node 20 and npm but no pnpm:
//   npm test    installs the pinned pnpm (through npm) and the workspace, typechecks, runs every test
//   npm start   installs, builds and starts the main program
//   npm run bench   installs and runs the benchmarks (bench/, ~8 minutes; extra arguments pass on)
// When the pinned pnpm is already on PATH it is used as is.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PNPM_VERSION = '12.4.2'
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const mode = process.argv[2]
const windows = process.platform === 'win32'

function pnpm() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: windows })
  if (found.status === 0 && found.stdout.trim() === PNPM_VERSION) return ['pnpm', []]
  // npm exec fetches the pinned pnpm into npm's cache: no global install, no corepack.
  return ['npm', ['exec', '--yes', `--package=pnpm@${PNPM_VERSION}`, '--', 'pnpm']]
}

const [command, prefix] = pnpm()
function run(...args) {
  const result = spawnSync(command, [...prefix, ...args], { cwd: root, stdio: 'inherit', shell: windows })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

if (mode === 'test') {
  run('install', '--frozen-lockfile')
  run('run', 'typecheck')
  run('exec', 'vitest', 'run')
} else if (mode === 'start') {
  run('install', '--frozen-lockfile')
  run('--filter', '@x/demo-server', 'start')
} else if (mode === 'bench') {
  run('install', '--frozen-lockfile')
  run('--filter', '@x/bench', 'bench', ...process.argv.slice(3))
} else {
  console.error('usage: node scripts/quickstart.mjs test|start|bench [bench arguments]')
  process.exit(2)
}
