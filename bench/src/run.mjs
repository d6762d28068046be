/**
 * `pnpm bench`: builds the packages (tsc -b), then runs the in-process suite, the HTTP suite and the
 * memory test, each in its own process, and writes the tables to bench/RESULTS.md and
 * docs/performance.md. Flags: `--quick` (about two minutes; a smoke check whose figures are printed,
 * not recorded), `--only core|http|memory` (the other tables keep their last figures), `--profile`
 * (servers write CPU profiles), `--no-build`.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, platform, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { readResults, renderResults, writeSection } from './report.mjs'
import { parseFlags } from './stats.mjs'

const flags = parseFlags()
const root = fileURLToPath(new URL('../../', import.meta.url))
const bench = fileURLToPath(new URL('../', import.meta.url))
// A quick run is a smoke check: its figures go to .results/quick/ and the terminal, never to the record.
const resultsDir = new URL(flags.quick ? '../.results/quick/' : '../.results/', import.meta.url)
mkdirSync(resultsDir, { recursive: true })

function run(label, args, options = {}) {
  process.stderr.write(`\n== ${label}\n`)
  const result = spawnSync(process.execPath, args, { cwd: bench, stdio: 'inherit', ...options })
  if (result.status !== 0) {
    process.stderr.write(`${label} failed (exit ${result.status ?? result.signal})\n`)
    process.exit(1)
  }
}

const started = Date.now()
const loadStart = loadavg()[0]
if (!flags.noBuild) run('build (tsc -b)', [fileURLToPath(new URL('node_modules/typescript/bin/tsc', `file://${root}`)), '-b'], { cwd: root })

const common = [...(flags.quick ? ['--quick'] : []), ...(flags.profile ? ['--profile'] : [])]
const out = (name) => ['--out', fileURLToPath(new URL(`${name}.json`, resultsDir))]
if (flags.only === undefined || flags.only === 'core') run('in-process suite', ['src/core.mjs', ...common.filter((f) => f !== '--profile'), ...out('core')])
if (flags.only === undefined || flags.only === 'http') run('HTTP suite', ['src/http.mjs', ...common, ...out('http')])
if (flags.only === undefined || flags.only === 'memory') run('memory test', ['--expose-gc', 'src/memory.mjs', ...common.filter((f) => f !== '--profile'), ...out('memory')])

const cpu = cpus()[0]
writeFileSync(
  new URL('run.json', resultsDir),
  JSON.stringify(
    {
      quick: flags.quick,
      only: flags.only,
      seconds: (Date.now() - started) / 1000,
      finishedAt: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpu?.model.trim() ?? 'unknown CPU',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: platform(),
        loadStart,
        loadEnd: loadavg()[0],
      },
    },
    null,
    2,
  ),
)
const body = renderResults(readResults(resultsDir))
if (flags.quick) {
  process.stdout.write(`\n${body}\n\nA --quick run: bench/RESULTS.md and docs/performance.md keep the last full run's figures.\n`)
} else {
  writeSection(fileURLToPath(new URL('../RESULTS.md', import.meta.url)), body)
  writeSection(fileURLToPath(new URL('../../docs/performance.md', import.meta.url)), body)
  process.stdout.write(`\n${body}\n\nWritten to bench/RESULTS.md and docs/performance.md.\n`)
}
