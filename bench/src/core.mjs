/**
 * The in-process suite: `provider.handle()` of the built core, no HTTP, one request at a time,
 * against a bare jose `SignJWT` of the same claims with the same kind of key. Each round runs
 * every task once (tinybench, in the order rotated per round); the figures are medians over rounds.
 * Besides ops/s it records CPU µs per operation (process.cpuUsage, every thread of the process),
 * which the HTTP suite uses as "the core's cost".
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { generateKeyPair, SignJWT } from 'jose'
import { Bench } from 'tinybench'
import { createCoreProvider, seedRefreshTokens } from '../servers/lib/core-provider.mjs'
import { CLIENT_CREDENTIALS_BODY, CLIENT_ID, FORM_HEADERS, ISSUER, SCOPE, TOKEN_PATH, TOKEN_TTL, refreshBody, refreshTokenOf } from './config.mjs'
import { median, parseFlags, rotate, spread } from './stats.mjs'

const flags = parseFlags()
const ROUNDS = flags.quick ? 3 : 5
const TIME_MS = flags.quick ? 300 : 1000
const WARMUP_MS = flags.quick ? 100 : 250

/** A bare jose signature of what the core's RFC 9068 access token carries. */
async function joseTask() {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
  const kid = randomBytes(32).toString('base64url')
  return async () => {
    const iat = Math.floor(Date.now() / 1000)
    await new SignJWT({
      iss: ISSUER,
      aud: ISSUER,
      iat,
      exp: iat + TOKEN_TTL,
      jti: randomBytes(16).toString('base64url'),
      sub: CLIENT_ID,
      client_id: CLIENT_ID,
      scope: SCOPE,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .sign(privateKey)
  }
}

async function clientCredentialsTask(format) {
  const { provider } = createCoreProvider({ format })
  const request = { method: 'POST', url: `${ISSUER}${TOKEN_PATH}`, headers: FORM_HEADERS, body: CLIENT_CREDENTIALS_BODY }
  return async () => {
    const result = await provider.handle(request)
    if (result.status !== 200) throw new Error(`client_credentials: ${result.status} ${result.body}`)
  }
}

/** One rotating chain: each request presents the refresh token the previous one returned. */
async function refreshTask(format) {
  const { provider } = createCoreProvider({ format })
  let [token] = await seedRefreshTokens(provider, 1)
  return async () => {
    const result = await provider.handle({ method: 'POST', url: `${ISSUER}${TOKEN_PATH}`, headers: FORM_HEADERS, body: refreshBody(token) })
    token = result.status === 200 ? refreshTokenOf(result.body) : undefined
    if (token === undefined) throw new Error(`refresh_token: ${result.status} ${result.body}`)
  }
}

export const TASKS = [
  { id: 'jose-eddsa', label: 'jose SignJWT, EdDSA, same claims', create: () => joseTask() },
  { id: 'cc-jwt', label: 'handle() client_credentials, EdDSA JWT', create: () => clientCredentialsTask('jwt') },
  { id: 'refresh-jwt', label: 'handle() refresh_token rotating, EdDSA JWT', create: () => refreshTask('jwt') },
  { id: 'cc-opaque', label: 'handle() client_credentials, opaque', create: () => clientCredentialsTask('opaque') },
  { id: 'refresh-opaque', label: 'handle() refresh_token rotating, opaque', create: () => refreshTask('opaque') },
]

export async function runCoreSuite() {
  const fns = new Map()
  for (const task of TASKS) fns.set(task.id, await task.create())
  const samples = new Map(TASKS.map((t) => [t.id, { hz: [], cpu: [], p50: [] }]))
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: TIME_MS, warmupTime: WARMUP_MS })
    const cpu = new Map()
    for (const task of rotate(TASKS, round)) {
      let start
      bench.add(task.id, fns.get(task.id), {
        beforeAll(mode) {
          if (mode === 'run') start = process.cpuUsage()
        },
        afterAll(mode) {
          if (mode === 'run') {
            const d = process.cpuUsage(start)
            cpu.set(task.id, d.user + d.system)
          }
        },
      })
    }
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result
      if (result.error !== undefined || result.state === 'errored') throw result.error ?? new Error(`${task.name} failed`)
      const s = samples.get(task.name)
      s.hz.push(1000 / result.period)
      s.p50.push(result.latency.p50 * 1000)
      s.cpu.push(cpu.get(task.name) / task.runs)
    }
    process.stderr.write(`core round ${round + 1}/${ROUNDS}: ${bench.tasks.map((t) => `${t.name} ${Math.round(1000 / t.result.period)}/s`).join(', ')}\n`)
  }
  const results = {}
  for (const task of TASKS) {
    const s = samples.get(task.id)
    results[task.id] = { label: task.label, opsPerSec: median(s.hz), cpuUsPerOp: median(s.cpu), p50Us: median(s.p50), spread: spread(s.hz), rounds: s.hz }
  }
  return { rounds: ROUNDS, timeMs: TIME_MS, results }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await runCoreSuite()
  for (const [id, r] of Object.entries(out.results)) {
    console.log(`${id.padEnd(16)} ${Math.round(r.opsPerSec).toString().padStart(7)} ops/s  ${r.cpuUsPerOp.toFixed(1).padStart(6)} µs CPU/op  ±${(r.spread * 100).toFixed(0)}%`)
  }
  if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify(out, null, 2))
}
