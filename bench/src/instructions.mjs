/**
 * Instructions per request, counted by valgrind's callgrind. Times on this shared 2-core machine move
 * 5-20% between rounds; an instruction count depends on the code and its input, not on what else
 * runs, so it compares subjects where timings cannot (see docs/performance.md).
 *
 * Each subject runs under `valgrind --tool=callgrind --cache-sim=yes` on `node --single-threaded`
 * (see record() for why), with opaque tokens, from a full GC. W warm-up requests go over one
 * keep-alive connection, one at a time; then the counters are zeroed (`callgrind_control -z`), N
 * requests sent the same way and the counters dumped (`callgrind_control -d`): the dump holds
 * exactly those N requests. `loop-*` subjects call `handle()` in process (src/instructions-loop.mjs),
 * zeroed and dumped around N calls the same way. Refresh subjects present seeded tokens, each once
 * (rotation). V8's optimizing compilers still run in the window: their functions are counted apart,
 * as "JIT compilation", and left out of every other figure. Raw callgrind files and V8 perf maps
 * (which name JIT code) go to .results/instructions/. A subject takes 1-3 minutes; two run at a
 * time. Needs valgrind.
 *
 *   node src/instructions.mjs [--requests N] [--warmup W] [--top K] [--footprint] [subjects...]
 *
 * Defaults: N = 1000, W = 3000, every subject. `--top K`: each subject's K costliest functions
 * (self instructions per request). `--footprint`: also how much code a request runs (the 64-byte
 * lines of instructions executed at least N/2 times in the window) and the misses of a simulated
 * 512 KiB, 8-way last-level cache, the size of a level-2 cache of this machine's cores (callgrind's
 * `--dump-instr=yes --LL=524288,8,64`; larger dumps, same instruction counts).
 * `node src/instructions-compare.mjs footprint` lists that code by function.
 */
import { execFile, spawn } from 'node:child_process'
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { footprint, shorten, summarize } from './callgrind.mjs'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, TOKEN_PATH, refreshBody } from './config.mjs'

const run = promisify(execFile)
const RESULTS = fileURLToPath(new URL('../.results/instructions/', import.meta.url))
// The machine has 2 cores: more subjects at once would only queue.
const JOBS = 2

/** `script`: path from bench/; `hello`: the hello-world the core subject is compared with. */
const SUBJECTS = {
  'hello-node': { label: 'hello-world, node:http', script: 'servers/hello-node.mjs', grant: 'hello' },
  'core-node-cc': { label: 'core on node:http, client_credentials', script: 'servers/core-node.mjs', grant: 'cc', hello: 'hello-node' },
  'core-node-refresh': { label: 'core on node:http, refresh_token', script: 'servers/core-node.mjs', grant: 'refresh', hello: 'hello-node' },
  'hello-fastify': { label: 'hello-world, Fastify', script: 'servers/hello-fastify.mjs', grant: 'hello' },
  'core-fastify-cc': { label: '@x/oauth2-fastify, client_credentials', script: 'servers/core-fastify.mjs', grant: 'cc', hello: 'hello-fastify' },
  'core-fastify-refresh': { label: '@x/oauth2-fastify, refresh_token', script: 'servers/core-fastify.mjs', grant: 'refresh', hello: 'hello-fastify' },
  // Both grants, one after the other, in one process, as the HTTP suite's servers serve them.
  'core-fastify-mixed': { label: '@x/oauth2-fastify, client_credentials and refresh_token in turn', script: 'servers/core-fastify.mjs', grant: 'mixed', hello: 'hello-fastify' },
  'loop-cc': { label: 'handle() in a loop, client_credentials', script: 'src/instructions-loop.mjs', grant: 'cc', loop: true },
  'loop-refresh': { label: 'handle() in a loop, refresh_token', script: 'src/instructions-loop.mjs', grant: 'refresh', loop: true },
  'loop-mixed': { label: 'handle() in a loop, client_credentials and refresh_token in turn', script: 'src/instructions-loop.mjs', grant: 'mixed', loop: true },
}

// Loaded before the subject's script: `{ type: 'gc' }` runs a full GC and answers. The driver sends
// it before the warm-up (seeding leaves garbage behind): a major GC costs ~70M instructions, so one
// falling in a window would double that subject's figure. Not after the warm-up: a forced full GC
// throws optimized code away, and the window would pay for recompiling it.
const PRELOAD = `data:text/javascript,${encodeURIComponent("process.on('message', (m) => { if (m?.type === 'gc') { globalThis.gc(); process.send({ type: 'gc' }) } })")}`

function parseArgs(argv) {
  const options = { requests: 1000, warmup: 3000, top: 0, footprint: false, subjects: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--requests' || arg === '--warmup' || arg === '--top') {
      const value = Number(argv[++i])
      if (!Number.isInteger(value) || value < (arg === '--requests' ? 1 : 0)) throw new Error(`${arg} needs a whole number, got ${argv[i]}`)
      options[arg.slice(2)] = value
    } else if (arg === '--footprint') options.footprint = true
    else if (Object.hasOwn(SUBJECTS, arg)) options.subjects.push(arg)
    else throw new Error(`Unknown argument ${arg}. Usage: node src/instructions.mjs [--requests N] [--warmup W] [--top K] [--footprint] [subjects...]; subjects: ${Object.keys(SUBJECTS).join(', ')}.`)
  }
  if (options.subjects.length === 0) options.subjects = Object.keys(SUBJECTS)
  return options
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** The child's next IPC message; rejects if the child exits first or answers `{ type: 'error' }`. */
function nextMessage(child, log) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    const onMessage = (message) => {
      cleanup()
      if (message?.type === 'error') reject(new Error(message.message))
      else resolve(message)
    }
    const onExit = (code, signal) => {
      cleanup()
      reject(new Error(`the subject exited (${signal ?? code}) before answering:\n${log()}`))
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** `callgrind_control -z|-d <pid>`. It exits 0 even when it finds no such run: its output tells. */
async function control(action, pid) {
  const { stdout, stderr } = await run('callgrind_control', [action, String(pid)])
  const text = `${stdout}${stderr}`
  if (/error/i.test(text) || !text.includes(`to pid ${pid}`)) throw new Error(`callgrind_control ${action} ${pid}: ${text.trim()}`)
}

/** One POST to the token path; rejects unless it is answered 200. */
function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const headers = { ...FORM_HEADERS, 'content-length': Buffer.byteLength(body) }
    const request = http.request({ host: '127.0.0.1', port, path: TOKEN_PATH, method: 'POST', agent, headers }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => {
        if (response.statusCode === 200) resolve()
        else reject(new Error(`answered ${response.statusCode}: ${Buffer.concat(chunks).toString()}`))
      })
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end(body)
  })
}

/** Runs one subject under callgrind; returns the paths of the window's dump and of the perf map. */
async function record(name, { warmup, requests, footprint: withFootprint }) {
  const spec = SUBJECTS[name]
  const base = join(RESULTS, name)
  for (const suffix of ['.out', '.out.1', '.callgrind', '.perf.map']) rmSync(base + suffix, { force: true })
  const script = fileURLToPath(new URL(`../${spec.script}`, import.meta.url))
  const args = spec.loop ? [spec.grant] : ['opaque']
  // --single-threaded: V8 optimizes a function on the main thread, when its call counts say so,
  // instead of on a helper thread, whenever that one gets to it; which tier the window runs in then
  // no longer depends on thread timing (without it, refresh subjects moved by up to 40% between runs).
  // --perf-basic-prof always, so the counts do not depend on --top (the map names JIT code).
  const node = [process.execPath, '--single-threaded', '--perf-basic-prof', '--expose-gc', `--import=${PRELOAD}`, script, ...args]
  const footprintArgs = withFootprint ? ['--dump-instr=yes', '--LL=524288,8,64'] : []
  const child = spawn('valgrind', ['--tool=callgrind', '--cache-sim=yes', ...footprintArgs, `--callgrind-out-file=${base}.out`, ...node], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const log = () => stderr
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
  try {
    const { port } = await nextMessage(child, log)
    const total = warmup + requests
    let tokens = []
    if (spec.grant === 'refresh' || spec.grant === 'mixed') {
      // Seeded before the warm-up: every request, warm-up included, rotates a token of its own.
      child.send({ type: 'seed', n: spec.grant === 'mixed' ? Math.ceil(total / 2) : total })
      const answer = await nextMessage(child, log)
      if (!spec.loop) tokens = answer.tokens
    }
    // A full GC (PRELOAD) first: warm-up and window start from the live heap alone.
    child.send({ type: 'gc' })
    await nextMessage(child, log)
    if (spec.loop) {
      child.send({ type: 'run', n: warmup })
      await nextMessage(child, log)
      await control('-z', child.pid)
      child.send({ type: 'run', n: requests })
      await nextMessage(child, log)
      await control('-d', child.pid)
    } else {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const body = (i) =>
        spec.grant === 'refresh' ? refreshBody(tokens[i]) : spec.grant === 'mixed' && i % 2 === 1 ? refreshBody(tokens[i >> 1]) : CLIENT_CREDENTIALS_BODY
      for (let i = 0; i < warmup; i++) await post(agent, port, body(i))
      await control('-z', child.pid)
      for (let i = warmup; i < total; i++) await post(agent, port, body(i))
      await control('-d', child.pid)
      agent.destroy()
    }
  } finally {
    if (child.connected) child.disconnect()
  }
  const code = await exited
  if (code !== 0) throw new Error(`${name}: valgrind exited (${code}):\n${stderr}`)
  if (!existsSync(`${base}.out.1`)) throw new Error(`${name}: callgrind wrote no dump (${base}.out.1):\n${stderr}`)
  // Keep the window only: the at-exit dump (whole process, start-up included) is not what is measured.
  renameSync(`${base}.out.1`, `${base}.callgrind`)
  rmSync(`${base}.out`, { force: true })
  const map = `/tmp/perf-${child.pid}.map`
  if (existsSync(map)) {
    copyFileSync(map, `${base}.perf.map`)
    rmSync(map)
  }
  return { callgrind: `${base}.callgrind`, map: existsSync(`${base}.perf.map`) ? `${base}.perf.map` : undefined }
}

const integer = (value) => Math.round(value).toLocaleString('en-US')
const percent = (value) => `${Math.round(value * 100)}%`

async function main() {
  const options = parseArgs(process.argv.slice(2))
  const missing = ['valgrind', 'callgrind_control'].filter((command) => !onPath(command))
  if (missing.length > 0) {
    console.error(`${missing.join(' and ')} not found: install valgrind (Debian/Ubuntu: apt-get install valgrind), which brings callgrind_control.`)
    process.exit(2)
  }
  mkdirSync(RESULTS, { recursive: true })
  const { stdout: valgrindVersion } = await run('valgrind', ['--version'])
  const started = new Date()

  const results = new Map()
  const queue = [...options.subjects]
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const t0 = performance.now()
      process.stderr.write(`${name}: running under callgrind\n`)
      const files = await record(name, options)
      // What src/instructions-compare.mjs needs to put a kept copy of this dump per request.
      writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify({ requests: options.requests, warmup: options.warmup, date: new Date().toISOString(), node: process.version })}\n`)
      results.set(name, { ...summarize(files, options.requests), footprint: options.footprint ? footprint(files, options.requests) : undefined })
      process.stderr.write(`${name}: done in ${Math.round((performance.now() - t0) / 1000)} s\n`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(JOBS, queue.length) }, worker))

  const lines = [
    `Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${['node src/instructions.mjs', ...process.argv.slice(2)].join(' ')}\`, ${valgrindVersion.trim()}, Node ${process.version}: ` +
      `${integer(options.warmup)} warm-up requests, then ${integer(options.requests)} measured, per subject (opaque tokens).`,
    '',
    '| subject | instructions/request (JIT compilation excluded) | JIT compilation share | I1 misses/request | D1 misses/request |',
    '| --- | --- | --- | --- | --- |',
  ]
  for (const name of options.subjects) {
    const r = results.get(name)
    lines.push(`| ${name}: ${SUBJECTS[name].label} | ${integer(r.ir)} | ${percent(r.compilationShare)} | ${integer(r.i1)} | ${integer(r.d1)} |`)
  }
  for (const name of options.subjects.filter((subject) => results.get(subject).majorGcShare > 0.05)) {
    lines.push('', `A major GC fell in the window of ${name} (${percent(results.get(name).majorGcShare)} of its instructions): its figures are not comparable; run it again with another --warmup.`)
  }
  const pairs = options.subjects.filter((name) => SUBJECTS[name].hello !== undefined && results.has(SUBJECTS[name].hello))
  if (pairs.length > 0) {
    lines.push('', "The core's own instructions inside the server: each core subject minus its hello-world.", '')
    lines.push('| core subject | instructions/request | hello-world | difference | handle() in a loop |', '| --- | --- | --- | --- | --- |')
    for (const name of pairs) {
      const { hello, grant } = SUBJECTS[name]
      const loop = results.get(`loop-${grant}`)
      const diff = results.get(name).ir - results.get(hello).ir
      lines.push(`| ${name} | ${integer(results.get(name).ir)} | ${hello}: ${integer(results.get(hello).ir)} | ${integer(diff)} | ${loop !== undefined ? `loop-${grant}: ${integer(loop.ir)}` : 'not measured'} |`)
    }
  }
  if (options.footprint) {
    lines.push('', 'The code a request runs (64-byte lines executed at least N/2 times in the window), and the misses of a simulated 512 KiB 8-way last-level cache (JIT compilation excluded from both).', '')
    lines.push('| subject | code run per request | of which | last-level misses/request: instructions, data |', '| --- | --- | --- | --- |')
    for (const name of options.subjects) {
      const f = results.get(name).footprint
      const parts = f.origins.filter((o) => o.kib >= 3).map((o) => `${o.origin} ${Math.round(o.kib)}`).join(', ')
      lines.push(`| ${name} | ${Math.round(f.kib)} KiB | ${parts} | ${integer(f.llMissesPerRequest.instructions)}, ${integer(f.llMissesPerRequest.data)} |`)
    }
  }
  if (options.top > 0) {
    for (const name of options.subjects) {
      lines.push('', `${name}: the ${options.top} costliest functions (self, per request; JIT compilation excluded)`, '')
      lines.push('| instructions | I1 misses | D1 misses | function |', '| --- | --- | --- | --- |')
      for (const f of results.get(name).functions.slice(0, options.top)) lines.push(`| ${integer(f.ir)} | ${integer(f.i1)} | ${integer(f.d1)} | ${shorten(f.label)} |`)
    }
  }
  lines.push('', 'Raw callgrind files and V8 perf maps: bench/.results/instructions/.')
  console.log(lines.join('\n'))
}

await main()
