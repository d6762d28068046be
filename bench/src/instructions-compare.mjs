/**
 * What changed between two runs of `src/instructions.mjs`, function by function, and who calls what.
 * Keep a run before a change (`cp -r .results/instructions /tmp/before`), run the subjects again
 * after it, then:
 *
 *   node src/instructions-compare.mjs diff /tmp/before .results/instructions [subjects...] [--top K]
 *   node src/instructions-compare.mjs callers DIR SUBJECT PATTERN [--top K]
 *   node src/instructions-compare.mjs footprint DIR SUBJECT [--top K]
 *
 * `diff`: per subject, instructions per request in each run and the K functions whose self cost
 * moved most (JIT compilation excluded, as in the table of src/instructions.mjs); a subject written
 * `A..B` compares subject A of the first run with subject B of the second (both DIRs may be the same:
 * `hello-fastify..core-fastify-cc` shows what the core and its adapter add to the hello-world). `callers`: the
 * calls into every function whose label matches the regular expression PATTERN, by caller, each with
 * its inclusive instructions per request: where a builtin or a runtime function is called from.
 * `footprint` (a dump recorded with src/instructions.mjs `--footprint`): the code a request runs, by
 * origin and the K functions with the most of it, in 64-byte lines.
 * A run's request count comes from the `SUBJECT.json` that src/instructions.mjs writes beside each dump.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { callers, footprint, shorten, summarize } from './callgrind.mjs'

const integer = (value) => Math.round(value).toLocaleString('en-US')
const signed = (value) => (value > 0 ? `+${integer(value)}` : integer(value))

function usage(message) {
  console.error(`${message}\nUsage:\n  node src/instructions-compare.mjs diff DIR_BEFORE DIR_AFTER [subjects...] [--top K]\n  node src/instructions-compare.mjs callers DIR SUBJECT PATTERN [--top K]\n  node src/instructions-compare.mjs footprint DIR SUBJECT [--top K]`)
  process.exit(2)
}

/** The dump of `subject` in `dir`, with the request count it was taken over. */
function dump(dir, subject) {
  const callgrind = join(dir, `${subject}.callgrind`)
  if (!existsSync(callgrind)) usage(`No ${subject}.callgrind in ${dir}.`)
  const map = join(dir, `${subject}.perf.map`)
  const meta = join(dir, `${subject}.json`)
  // Dumps written before the .json files existed were all of src/instructions.mjs's default 1,000.
  const requests = existsSync(meta) ? JSON.parse(readFileSync(meta, 'utf8')).requests : 1000
  return { files: { callgrind, map: existsSync(map) ? map : undefined }, requests }
}

function diff(before, after, subjects, top) {
  const names = subjects.length > 0 ? subjects : readdirSync(after).filter((f) => f.endsWith('.callgrind') && existsSync(join(before, f))).map((f) => f.slice(0, -'.callgrind'.length))
  const lines = []
  for (const subject of names) {
    // `A..B`: subject A of the first run against subject B of the second (a core subject against its hello-world).
    const [from, to = from] = subject.split('..')
    const a = dump(before, from)
    const b = dump(after, to)
    const sa = summarize(a.files, a.requests)
    const sb = summarize(b.files, b.requests)
    const change = sb.ir - sa.ir
    lines.push(`${subject}: ${integer(sa.ir)} -> ${integer(sb.ir)} instructions per request (${signed(change)}, ${signed((change / sa.ir) * 100)} %)`, '')
    // JavaScript functions are matched without their line and column, which move with any edit.
    const self = new Map()
    for (const f of sa.functions) add(self, f, 0)
    for (const f of sb.functions) add(self, f, 1)
    const moved = [...self].map(([label, [x, y]]) => ({ label, x, y, d: y - x })).sort((p, q) => Math.abs(q.d) - Math.abs(p.d))
    lines.push('| change | before | after | function (self instructions per request) |', '| --- | --- | --- | --- |')
    for (const m of moved.slice(0, top)) lines.push(`| ${signed(m.d)} | ${integer(m.x)} | ${integer(m.y)} | ${shorten(m.label)} |`)
    lines.push('')
  }
  console.log(lines.join('\n'))
}

/** Adds a function's self cost to column `at` of its row, keyed by its label without `:line:column`. */
function add(rows, f, at) {
  const key = f.label.replace(/:\d+:\d+$/, '')
  const row = rows.get(key) ?? rows.set(key, [0, 0]).get(key)
  row[at] += f.ir
}

function showCallers(dir, subject, pattern, top) {
  const { files, requests } = dump(dir, subject)
  let regexp
  try {
    regexp = new RegExp(pattern)
  } catch (error) {
    usage(`PATTERN is not a regular expression: ${error.message}`)
  }
  const calls = callers(files, requests, regexp)
  if (calls.length === 0) {
    console.log(`${subject}: no call into a function matching /${pattern}/.`)
    return
  }
  const lines = [`${subject}: calls into /${pattern}/, inclusive instructions per request`, '', '| instructions | caller | callee |', '| --- | --- | --- |']
  for (const c of calls.slice(0, top)) lines.push(`| ${integer(c.ir)} | ${shorten(c.caller)} | ${shorten(c.callee)} |`)
  console.log(lines.join('\n'))
}

function showFootprint(dir, subject, top) {
  const { files, requests } = dump(dir, subject)
  let f
  try {
    f = footprint(files, requests)
  } catch (error) {
    usage(error.message)
  }
  const lines = [`${subject}: ${integer(f.kib)} KiB of code run per request (64-byte lines of instructions executed at least ${integer(requests / 2)} times in ${integer(requests)} requests)`, '']
  lines.push('| KiB | origin |', '| --- | --- |')
  for (const o of f.origins) lines.push(`| ${o.kib.toFixed(1)} | ${o.origin} |`)
  lines.push('', '| lines | origin | function |', '| --- | --- | --- |')
  for (const fn of f.functions.slice(0, top)) lines.push(`| ${fn.lines} | ${fn.origin} | ${shorten(fn.label)} |`)
  console.log(lines.join('\n'))
}

const args = process.argv.slice(2)
let top = 25
const rest = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') {
    top = Number(args[++i])
    if (!Number.isInteger(top) || top < 1) usage('--top needs a whole number above 0.')
  } else rest.push(args[i])
}
const [command, ...operands] = rest
if (command === 'diff' && operands.length >= 2) diff(operands[0], operands[1], operands.slice(2), top)
else if (command === 'callers' && operands.length === 3) showCallers(operands[0], operands[1], operands[2], top)
else if (command === 'footprint' && operands.length === 2) showFootprint(operands[0], operands[1], top)
else usage('Unknown or incomplete command.')
