/**
 * Reading callgrind dumps of `src/instructions.mjs` (format: valgrind.org/docs/manual/cl-format.html):
 * self cost per function, JIT code named through V8's perf map, V8's compilers counted apart, and
 * the callers of a function with what each call cost, inclusive. Used by `src/instructions.mjs`
 * (the table) and `src/instructions-compare.mjs` (what changed between two runs, who calls what).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// Functions of V8's optimizing compilers (TurboFan, Maglev, Turboshaft) and of the regexp compiler:
// JIT compilation, a few functions still tiering up, not what a request costs once warm.
const JIT_COMPILATION = /compiler::|maglev|Maglev|turboshaft|Turboshaft|wasm::|CodeGenerator|Zone::|OptimizedCompilationJob|RegExpCompiler/
// Functions of the old generation's GC (mark-compact): only checked, to flag a window a major GC
// fell in anyway (~30% of its instructions then; sweeping alone takes under 2%).
const MAJOR_GC = /MarkCompact|Marking|MarkBit|Sweeper|Sweeping|FullEvacuator|PointersUpdating/

/**
 * Self cost of every function in a callgrind file (format: valgrind.org/docs/manual/cl-format.html).
 * `fn=` names the function the next cost lines belong to; the cost line after a `calls=` line is
 * the call's inclusive cost, already in the callee's own lines, so it is skipped.
 */
export function parseCallgrind(text) {
  const nameOf = nameReader()
  const self = new Map()
  let events = []
  let positions = 1
  let totals
  let current
  let skip = false
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0)
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      if (skip) {
        skip = false
        continue
      }
      const fields = line.trim().split(/\s+/)
      for (let i = positions; i < fields.length; i++) current[i - positions] += Number(fields[i])
    } else if (line.startsWith('fn=')) {
      const name = nameOf(line.slice(3))
      current = self.get(name)
      if (current === undefined) self.set(name, (current = new Array(events.length).fill(0)))
    } else if (line.startsWith('cfn=')) nameOf(line.slice(4))
    else if (line.startsWith('calls=')) skip = true
    else if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/)
    else if (line.startsWith('positions:')) positions = line.slice(10).trim().split(/\s+/).length
    else if (line.startsWith('totals:')) totals = line.slice(7).trim().split(/\s+/).map(Number)
  }
  return { events, self, totals }
}

/** Reads callgrind's compressed names: `fn=(id) name` defines one, `fn=(id)` refers to it (shared by `fn=` and `cfn=`). */
function nameReader() {
  const names = new Map()
  return (spec) => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(spec)
    if (match === null) return spec
    if (match[2] !== undefined) names.set(match[1], match[2])
    return names.get(match[1])
  }
}

/**
 * A function's label: without `'2` (callgrind's mark of a recursive call); code without a symbol is
 * named by its address (`0x000000000d0f9080`): JIT code, which the perf map names.
 */
function labelOf(name, lookup) {
  const label = name.replace(/'\d+$/, '')
  return label.startsWith('0x') ? (lookup(Number.parseInt(label, 16)) ?? 'JIT code not in the perf map') : label
}

/** `start size name` lines (hex), later lines winning: V8 reuses the addresses of freed code. */
export function readPerfMap(path) {
  const byStart = new Map()
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const [start, size, ...name] = line.split(' ')
    if (name.length > 0) byStart.set(Number.parseInt(start, 16), { start: Number.parseInt(start, 16), end: Number.parseInt(start, 16) + Number.parseInt(size, 16), name: name.join(' ') })
  }
  const entries = [...byStart.values()].sort((a, b) => a.start - b.start)
  return (address) => {
    let lo = 0
    let hi = entries.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (entries[mid].start <= address) lo = mid + 1
      else hi = mid - 1
    }
    const entry = entries[hi]
    return entry !== undefined && address < entry.end ? entry.name : undefined
  }
}

/** Per-request figures of one dump: JIT compilation apart, JIT code named through the perf map. */
export function summarize({ callgrind, map }, requests) {
  const text = readFileSync(callgrind, 'utf8')
  const { events, self, totals } = parseCallgrind(text)
  const lookup = map !== undefined ? readPerfMap(map) : () => undefined
  const column = (event) => {
    const index = events.indexOf(event)
    if (index < 0) throw new Error(`${callgrind}: no ${event} events (run with --cache-sim=yes)`)
    return index
  }
  const [ir, i1, d1r, d1w] = ['Ir', 'I1mr', 'D1mr', 'D1mw'].map(column)
  const all = new Array(events.length).fill(0)
  const compilation = new Array(events.length).fill(0)
  const functions = new Map()
  let majorGc = 0
  for (const [name, cost] of self) {
    cost.forEach((value, j) => (all[j] += value))
    if (MAJOR_GC.test(name)) majorGc += cost[ir]
    if (JIT_COMPILATION.test(name)) {
      cost.forEach((value, j) => (compilation[j] += value))
      continue
    }
    const label = labelOf(name, lookup)
    const sum = functions.get(label) ?? new Array(events.length).fill(0)
    cost.forEach((value, j) => (sum[j] += value))
    functions.set(label, sum)
  }
  // A parser check: callgrind's own total is the sum of every self cost.
  if (totals !== undefined && totals[ir] !== all[ir]) process.stderr.write(`warning: ${callgrind}: parsed ${all[ir]} Ir, the file's totals say ${totals[ir]}\n`)
  const perRequest = (cost) => ({ ir: cost[ir] / requests, i1: cost[i1] / requests, d1: (cost[d1r] + cost[d1w]) / requests })
  const excluded = all.map((value, j) => value - compilation[j])
  return {
    ...perRequest(excluded),
    compilationShare: compilation[ir] / all[ir],
    majorGcShare: majorGc / all[ir],
    functions: [...functions].map(([label, cost]) => ({ label, ...perRequest(cost) })).sort((a, b) => b.ir - a.ir),
  }
}

/** A function's label without the checkout's path (JIT code is named by script URL), safe in a table cell. */
export const shorten = (label) => label.replaceAll(fileURLToPath(new URL('../..', import.meta.url)), '').replaceAll('file://', '').replaceAll('|', '\\|')

/**
 * The calls into functions whose label matches `pattern`, summed by caller and callee: the cost line
 * after a `calls=` line is that call's inclusive cost (callee and everything it called), per request.
 */
export function callers({ callgrind, map }, requests, pattern) {
  const text = readFileSync(callgrind, 'utf8')
  const lookup = map !== undefined ? readPerfMap(map) : () => undefined
  const nameOf = nameReader()
  let events = []
  let positions = 1
  let caller
  let callee
  let pending = false
  const sums = new Map()
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) caller = nameOf(line.slice(3))
    else if (line.startsWith('cfn=')) callee = nameOf(line.slice(4))
    else if (line.startsWith('calls=')) pending = true
    else if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/)
    else if (line.startsWith('positions:')) positions = line.slice(10).trim().split(/\s+/).length
    else if (pending && /^[0-9+\-*]/.test(line)) {
      pending = false
      const to = labelOf(callee, lookup)
      if (!pattern.test(to)) continue
      const ir = Number(line.trim().split(/\s+/)[positions + events.indexOf('Ir')])
      const key = `${labelOf(caller, lookup)}\u0000${to}`
      sums.set(key, (sums.get(key) ?? 0) + ir)
    }
  }
  return [...sums]
    .map(([key, ir]) => {
      const [from, to] = key.split('\u0000')
      return { caller: from, callee: to, ir: ir / requests }
    })
    .sort((a, b) => b.ir - a.ir)
}
