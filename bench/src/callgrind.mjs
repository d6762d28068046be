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

/** What a hot code line is counted under in {@link footprint}: the code's origin. */
function originOf(label, object) {
  if (/oauth2-core\/dist\//.test(label)) return 'the core (JavaScript)'
  if (/node_modules\//.test(label)) return 'dependencies (JavaScript)'
  if (/^JS:.*node:/.test(label)) return "Node's JavaScript"
  if (/^JS:/.test(label)) return 'other JavaScript'
  if (/^RegExp:/.test(label)) return 'compiled regular expressions'
  if (label.startsWith('Builtins_') || label.startsWith('Builtin:')) return "V8's builtins"
  if (/bin\/node$/.test(object)) return /v8::|heap::|cppgc::/.test(label) ? "V8's C++" : "Node's C++ (llhttp, libuv, bindings)"
  if (/libc\.so/.test(object)) return 'libc'
  return 'other native code'
}

/**
 * The code a request runs: the 64-byte lines holding instructions executed at least
 * `share` x `requests` times in the window (about every other request or more: what every request
 * runs, not a one-off), by origin and by function, and the simulated last-level cache misses per
 * request, JIT compilation left out of both (as from the instruction counts). Needs a dump made with `--dump-instr=yes` (src/instructions.mjs `--footprint`), whose cost
 * lines carry instruction addresses; the addresses are compressed as callgrind writes them (absolute
 * `0x...`, or `+N` / `-N` from the previous line's, `*` for the same).
 */
export function footprint({ callgrind, map }, requests, share = 0.5) {
  const text = readFileSync(callgrind, 'utf8')
  const lookup = map !== undefined ? readPerfMap(map) : () => undefined
  const nameOf = nameReader()
  const objectOf = nameReader()
  let events = []
  let instrAddresses = false
  let object = ''
  let label = ''
  let address = 0n
  let skip = false
  let compiling = false
  const threshold = share * requests
  const byFunction = new Map()
  const misses = { il: 0, dl: 0 }
  let ir = -1
  let il = -1
  let dlr = -1
  let dlw = -1
  for (const line of text.split('\n')) {
    const c = line.charCodeAt(0)
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      const fields = line.trim().split(/\s+/)
      const position = fields[0]
      if (position.startsWith('0x')) address = BigInt(position)
      else if (c === 43) address += BigInt(position.slice(1))
      else if (c === 45) address -= BigInt(position.slice(1))
      if (skip) {
        skip = false
        continue
      }
      if (compiling) continue
      // positions: instr line -> two position fields before the costs.
      const cost = (index) => Number(fields[2 + index] ?? 0)
      if (il >= 0) misses.il += cost(il)
      if (dlr >= 0) misses.dl += cost(dlr) + cost(dlw)
      if (cost(ir) < threshold) continue
      const key = `${object}:${address >> 6n}`
      let lines = byFunction.get(label)
      if (lines === undefined) byFunction.set(label, (lines = { object, lines: new Set() }))
      lines.lines.add(key)
    } else if (line.startsWith('fn=')) {
      const name = nameOf(line.slice(3))
      compiling = JIT_COMPILATION.test(name)
      label = labelOf(name, lookup)
    }
    else if (line.startsWith('ob=')) object = objectOf(line.slice(3))
    else if (line.startsWith('cob=')) objectOf(line.slice(4))
    else if (line.startsWith('cfn=')) nameOf(line.slice(4))
    else if (line.startsWith('calls=')) skip = true
    else if (line.startsWith('positions:')) instrAddresses = line.includes('instr')
    else if (line.startsWith('events:')) {
      events = line.slice(7).trim().split(/\s+/)
      ;[ir, il, dlr, dlw] = ['Ir', 'ILmr', 'DLmr', 'DLmw'].map((event) => events.indexOf(event))
    }
  }
  if (!instrAddresses) throw new Error(`${callgrind}: no instruction addresses (record it with --footprint, i.e. callgrind's --dump-instr=yes)`)
  const origins = new Map()
  const functions = []
  const seen = new Set()
  for (const [fn, { object: ob, lines }] of byFunction) {
    const origin = originOf(fn, ob)
    const fresh = [...lines].filter((key) => !seen.has(key))
    for (const key of fresh) seen.add(key)
    origins.set(origin, (origins.get(origin) ?? 0) + fresh.length)
    functions.push({ label: fn, origin, lines: lines.size })
  }
  return {
    kib: (seen.size * 64) / 1024,
    origins: [...origins].map(([origin, lines]) => ({ origin, kib: (lines * 64) / 1024 })).sort((a, b) => b.kib - a.kib),
    functions: functions.sort((a, b) => b.lines - a.lines),
    llMissesPerRequest: il >= 0 ? { instructions: misses.il / requests, data: misses.dl / requests } : undefined,
  }
}
