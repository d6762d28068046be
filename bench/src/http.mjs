/**
 * The HTTP suite: each subject is a server script in servers/, forked once and kept for the whole
 * run; autocannon (in this process) loads it over loopback with 10 connections. Every cell
 * (subject x grant) gets a warm-up, then `ROUNDS` measured windows; the rounds are interleaved
 * (round r visits every cell, starting at a different one each round), so a slow minute on this
 * shared machine touches every subject alike. Per window: req/s, p50/p99 latency, and the server's
 * CPU µs per request (user and system, from process.cpuUsage() snapshots the child reports around
 * the window). Figures are medians over rounds. Any non-2xx answer or socket error fails the run.
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, TOKEN_PATH, refreshBody, refreshTokenOf } from './config.mjs'
import { median, parseFlags, rotate, spread } from './stats.mjs'

const flags = parseFlags()
// Seconds. autocannon ends a window on its one-second tick, so windows are whole seconds.
const ROUNDS = flags.quick ? 3 : 4
const DURATION = flags.quick ? 1 : 3
const WARMUP = flags.quick ? 1 : 2
const ROUND_WARMUP = flags.quick ? 0 : 1
const CONNECTIONS = 10

/** A server script and how it is started (`args`: its command line, else the token format). `grants`: what it is measured on. */
export const SUBJECTS = [
  { id: 'hello-node', script: 'hello-node', label: 'hello-world, node:http', framework: 'node', kind: 'hello', grants: ['hello'] },
  { id: 'hello-fastify', script: 'hello-fastify', label: 'hello-world, Fastify', framework: 'fastify', kind: 'hello', grants: ['hello'] },
  { id: 'hello-express', script: 'hello-express', label: 'hello-world, Express', framework: 'express', kind: 'hello', grants: ['hello'] },
  { id: 'hello-hono', script: 'hello-hono', label: 'hello-world, Hono (node-server)', framework: 'hono', kind: 'hello', grants: ['hello'] },
  // Not part of the standard run (select them by id with BENCH_ONLY=id,id): experiments that split
  // a request's cost between the layers (bench/RESULTS.md, "Found, not changed").
  { id: 'core-node-opaque', script: 'core-node', format: 'opaque', label: 'core on node:http, opaque', framework: 'node', kind: 'extra', grants: ['cc', 'refresh'] },
  { id: 'hello-node-token', script: 'hello-node-token', label: 'hello-world, node:http, token-response bytes', framework: 'node', kind: 'extra', grants: ['hello'] },
  { id: 'core-node-x2', script: 'core-node-x2', format: 'opaque', label: 'core on node:http, handle() twice per request', framework: 'node', kind: 'extra', grants: ['cc'] },
  { id: 'core-hono-text', script: 'core-hono-text', format: 'opaque', label: 'core on Hono, body read with text()', framework: 'hono', kind: 'extra', grants: ['cc', 'refresh'] },
  { id: 'keep-fastify-none', script: 'keep-fastify', args: ['none'], label: 'core on Fastify, store.set keeps nothing', framework: 'fastify', kind: 'extra', grants: ['cc'] },
  { id: 'keep-fastify-map', script: 'keep-fastify', args: ['map'], label: 'core on Fastify, store.set keeps the entry in a Map', framework: 'fastify', kind: 'extra', grants: ['cc'] },
  { id: 'keep-fastify-number', script: 'keep-fastify', args: ['number'], label: 'core on Fastify, store.set keeps a number per id', framework: 'fastify', kind: 'extra', grants: ['cc'] },
  { id: 'hello-node-async', script: 'hello-node-extra', args: ['async'], label: 'hello-world, node:http, through seven async functions', framework: 'node', kind: 'extra', grants: ['hello'] },
  { id: 'hello-node-spin', script: 'hello-node-extra', args: ['spin'], label: 'hello-world, node:http, plus a 12 µs loop', framework: 'node', kind: 'extra', grants: ['hello'] },
  { id: 'floor-fastify', script: 'floor-fastify', label: 'client_credentials written by hand on Fastify (a floor)', framework: 'fastify', kind: 'extra', grants: ['cc'] },
  { id: 'stub-fastify', script: 'stub-fastify', format: 'opaque', label: '@x/oauth2-fastify around a stub provider', framework: 'fastify', kind: 'extra', grants: ['cc'] },
  ...['opaque', 'jwt'].flatMap((format) => [
    { id: `core-fastify-${format}`, script: 'core-fastify', format, label: `@x/oauth2-fastify, ${format}`, framework: 'fastify', kind: 'core', grants: ['cc', 'refresh'] },
    { id: `core-express-${format}`, script: 'core-express', format, label: `@x/oauth2-express, ${format}`, framework: 'express', kind: 'core', grants: ['cc', 'refresh'] },
    { id: `core-hono-${format}`, script: 'core-hono', format, label: `@x/oauth2-hono, ${format}`, framework: 'hono', kind: 'core', grants: ['cc', 'refresh'] },
    { id: `oidc-provider-${format}`, script: 'oidc-provider', format, label: `oidc-provider 9 (node:http), ${format}`, framework: 'node', kind: 'peer', grants: ['cc', 'refresh'] },
    { id: `node-oauth-${format}`, script: 'node-oauth', format, label: `@node-oauth/oauth2-server 5 (Express), ${format}`, framework: 'express', kind: 'peer', grants: ['cc'] },
  ]),
]

class Subject {
  constructor(spec) {
    this.spec = spec
    this.child = fork(fileURLToPath(new URL(`../servers/${spec.script}.mjs`, import.meta.url)), spec.args ?? (spec.format !== undefined ? [spec.format] : []), {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // --profile: each server writes a V8 CPU profile when it exits (see docs/performance.md).
      execArgv: flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${fileURLToPath(new URL('../.results/profiles/', import.meta.url))}`, `--cpu-prof-name=${spec.id}.cpuprofile`] : [],
    })
    this.stderr = ''
    this.child.stderr.on('data', (chunk) => {
      // Keep only what is not oidc-provider's expected start-up warnings.
      for (const line of String(chunk).split('\n')) if (line.trim() !== '' && !line.includes('oidc-provider WARNING')) this.stderr += `${line}\n`
    })
  }

  async start() {
    const [message] = await Promise.race([
      once(this.child, 'message'),
      once(this.child, 'exit').then(([code]) => {
        throw new Error(`${this.spec.id} exited with ${code} before listening:\n${this.stderr}`)
      }),
    ])
    this.url = `http://127.0.0.1:${message.port}${TOKEN_PATH}`
  }

  /** One request/response over the IPC channel. */
  async ask(message) {
    const reply = once(this.child, 'message')
    this.child.send(message)
    const [answer] = await reply
    if (answer.type === 'error') throw new Error(`${this.spec.id}: ${answer.message}`)
    return answer
  }

  /** The server's CPU time so far, µs. */
  async cpu() {
    const { user, system } = await this.ask({ type: 'cpu' })
    return { user, system }
  }

  /** Disconnecting lets the server exit on its own (so a --cpu-prof profile gets written). */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = once(this.child, 'exit')
    if (this.child.connected) this.child.disconnect()
    const timer = setTimeout(() => this.child.kill(), 5000)
    await exited
    clearTimeout(timer)
    if (flags.profile) process.stderr.write(`${this.spec.id}: ${this.stderr.trim()}\n`)
  }
}

/** autocannon options for one grant; a refresh cell draws its tokens from a freshly seeded pool. */
async function loadOptions(subject, grant) {
  const base = { url: subject.url, method: 'POST', connections: CONNECTIONS, pipelining: 1, headers: FORM_HEADERS }
  if (grant !== 'refresh') return { ...base, body: CLIENT_CREDENTIALS_BODY }
  // Each chain presents the token the previous response returned: every token is sent once.
  const { tokens: pool } = await subject.ask({ type: 'seed', n: CONNECTIONS * 3 })
  return {
    ...base,
    requests: [
      {
        setupRequest(request) {
          const token = pool.pop()
          if (token === undefined) throw new Error('the refresh-token pool ran dry: rotations are failing')
          return { ...request, body: refreshBody(token) }
        },
        onResponse(status, body) {
          const token = status === 200 ? refreshTokenOf(body) : undefined
          if (token !== undefined) pool.push(token)
        },
      },
    ],
  }
}

/** One autocannon window; fails on any error. */
async function load(subject, grant, seconds) {
  const result = await autocannon({ ...(await loadOptions(subject, grant)), duration: seconds })
  const failures = result.non2xx + result.errors + result.timeouts
  if (failures > 0) {
    throw new Error(`${subject.spec.id} ${grant}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts\n${subject.stderr}`)
  }
  return result
}

/** A short warm-up, then a window with the server's CPU time around it. */
async function measure(subject, grant) {
  if (ROUND_WARMUP > 0) await load(subject, grant, ROUND_WARMUP)
  const options = await loadOptions(subject, grant)
  const before = await subject.cpu()
  const result = await autocannon({ ...options, duration: DURATION })
  const after = await subject.cpu()
  const failures = result.non2xx + result.errors + result.timeouts
  if (failures > 0) throw new Error(`${subject.spec.id} ${grant}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts\n${subject.stderr}`)
  const count = result['2xx']
  const user = (after.user - before.user) / count
  const system = (after.system - before.system) / count
  return { rps: count / (result.duration || DURATION), p50: result.latency.p50, p99: result.latency.p99, cpuUs: user + system, userUs: user, systemUs: system, requests: count }
}

export async function runHttpSuite({ only } = {}) {
  const specs = only === undefined ? SUBJECTS.filter((s) => s.kind !== 'extra') : SUBJECTS.filter((s) => only.some((o) => s.id === o || (s.kind !== 'extra' && s.id.includes(o))))
  const subjects = specs.map((spec) => new Subject(spec))
  try {
    // Started one after another: their start-up must not overlap the measurements, nor each other.
    for (const subject of subjects) await subject.start()
    const cells = subjects.flatMap((subject) => subject.spec.grants.map((grant) => ({ subject, grant, id: `${subject.spec.id}/${grant}`, samples: [] })))
    for (const cell of cells) await load(cell.subject, cell.grant, WARMUP)
    const started = Date.now()
    for (let round = 0; round < ROUNDS; round++) {
      for (const cell of rotate(cells, round * Math.max(1, Math.floor(cells.length / ROUNDS)))) {
        cell.samples.push(await measure(cell.subject, cell.grant))
      }
      const s = Math.round((Date.now() - started) / 1000)
      process.stderr.write(`http round ${round + 1}/${ROUNDS} done (${s} s)\n`)
    }
    const results = {}
    for (const cell of cells) {
      const pick = (k) => cell.samples.map((x) => x[k])
      results[cell.id] = {
        subject: cell.subject.spec.id,
        label: cell.subject.spec.label,
        kind: cell.subject.spec.kind,
        framework: cell.subject.spec.framework,
        format: cell.subject.spec.format,
        grant: cell.grant,
        rps: median(pick('rps')),
        p50Ms: median(pick('p50')),
        p99Ms: median(pick('p99')),
        cpuUsPerReq: median(pick('cpuUs')),
        userUsPerReq: median(pick('userUs')),
        systemUsPerReq: median(pick('systemUs')),
        rpsSpread: spread(pick('rps')),
        cpuSpread: spread(pick('cpuUs')),
        rounds: cell.samples,
      }
    }
    return { rounds: ROUNDS, durationS: DURATION, connections: CONNECTIONS, results }
  } finally {
    await Promise.all(subjects.map((subject) => subject.stop()))
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await runHttpSuite({ only: process.env.BENCH_ONLY?.split(',') })
  for (const [id, r] of Object.entries(out.results)) {
    console.log(
      `${id.padEnd(30)} ${Math.round(r.rps).toString().padStart(6)} req/s ±${(r.rpsSpread * 100).toFixed(0).padStart(2)}%  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  ${r.cpuUsPerReq.toFixed(0).padStart(5)} µs CPU/req ±${(r.cpuSpread * 100).toFixed(0)}% (user ${r.userUsPerReq.toFixed(0)}, system ${r.systemUsPerReq.toFixed(0)})`,
    )
  }
  if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify(out, null, 2))
}
