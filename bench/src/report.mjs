/**
 * Turns the suites' JSON (bench/.results/*.json) into the markdown tables of bench/RESULTS.md and
 * docs/performance.md: the figures, the ratios the issue sets as targets, and which hold. Only the
 * part between the `bench:results` markers is replaced; the text around it is written by hand.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const START = '<!-- bench:results:start -->'
const END = '<!-- bench:results:end -->'

const int = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')
const fixed = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a')
const pct = (n) => (Number.isFinite(n) ? `±${Math.round(n * 100)}%` : '')
const ratio = (n) => (Number.isFinite(n) ? `${n.toFixed(2)} x` : 'n/a')
const GRANTS = { cc: 'client_credentials', refresh: 'refresh_token (rotating)', hello: 'POST form -> JSON' }

/** The targets of the issue, evaluated on one run's results. */
export function evaluateTargets({ core, http, memory }) {
  const targets = []
  const add = (group, name, measured, required, holds, note = '') => targets.push({ group, name, measured, required, holds, note })

  if (core !== undefined) {
    const c = core.results
    const jose = c['jose-eddsa']?.opsPerSec
    for (const [id, what] of [
      ['cc-jwt', 'client_credentials'],
      ['refresh-jwt', 'rotating refresh_token'],
    ]) {
      const r = c[id]?.opsPerSec / jose
      add('core, in process', `handle() ${what}, EdDSA JWT, vs bare jose SignJWT`, ratio(r), '>= 0.80 x', r >= 0.8)
    }
    for (const [id, what] of [
      ['cc-opaque', 'client_credentials'],
      ['refresh-opaque', 'rotating refresh_token'],
    ]) {
      const r = c[id]?.opsPerSec
      add('core, in process', `handle() ${what}, opaque, grants/s on one core`, `${int(r)}/s`, '>= 30,000/s', r >= 30_000)
    }
  }

  if (http !== undefined) {
    const h = http.results
    const cell = (subject, grant) => h[`${subject}/${grant}`]
    const helloFastify = cell('hello-fastify', 'hello')?.cpuUsPerReq
    for (const grant of ['cc', 'refresh']) {
      const r = cell('core-fastify-opaque', grant)?.cpuUsPerReq / helloFastify
      add('HTTP, Fastify', `CPU/request, ${GRANTS[grant]}, opaque, vs Fastify hello-world`, ratio(r), '<= 2.00 x', r <= 2)
    }
    for (const format of ['opaque', 'jwt']) {
      for (const grant of ['cc', 'refresh']) {
        const ours = cell(`core-fastify-${format}`, grant)
        const peer = cell(`oidc-provider-${format}`, grant)
        const r = ours?.rps / peer?.rps
        const need = format === 'opaque' ? 3 : 2
        const cpu = peer?.cpuUsPerReq / ours?.cpuUsPerReq
        add('HTTP, Fastify', `req/s, ${GRANTS[grant]}, ${format === 'jwt' ? 'EdDSA JWT' : 'opaque'}, vs oidc-provider`, ratio(r), `>= ${need}.00 x`, r >= need, `CPU/request ratio ${ratio(cpu)}`)
      }
    }
    if (core !== undefined) {
      for (const framework of ['express', 'hono']) {
        const hello = cell(`hello-${framework}`, 'hello')?.cpuUsPerReq
        for (const format of ['opaque', 'jwt']) {
          for (const grant of ['cc', 'refresh']) {
            const coreCost = core.results[`${grant}-${format}`]?.cpuUsPerOp
            const measured = cell(`core-${framework}-${format}`, grant)?.cpuUsPerReq
            const r = measured / (hello + coreCost)
            add(
              `HTTP, ${framework === 'express' ? 'Express' : 'Hono'}`,
              `CPU/request, ${GRANTS[grant]}, ${format === 'jwt' ? 'EdDSA JWT' : 'opaque'}, vs hello-world + core`,
              ratio(r),
              '<= 1.15 x',
              r <= 1.15,
              `${int(measured)} µs vs ${int(hello)} + ${int(coreCost)} µs`,
            )
          }
        }
      }
    }
  }

  if (memory !== undefined) {
    const m = memory
    add(
      'memory',
      `${int(m.tokens)} refresh tokens issued, then expired: heap back where it was`,
      `${fixed(m.heapMiB.before)} -> ${fixed(m.heapMiB.peak)} -> ${fixed(m.heapMiB.after)} MiB`,
      'back within 2 MiB or 1% of the peak',
      m.returned,
      `${int(m.bytesPerRefreshToken)} B per live refresh token`,
    )
  }
  return targets
}

/** The generated markdown: run details, the tables, the targets. */
export function renderResults({ core, http, memory, run }) {
  const lines = []
  const when = run?.finishedAt ?? new Date().toISOString()
  lines.push(`Run of ${when.slice(0, 16).replace('T', ' ')} UTC, \`pnpm bench${run?.quick ? ' --quick' : ''}\`, ${run?.seconds !== undefined ? `${Math.round(run.seconds)} s` : ''}.`)
  if (run?.machine !== undefined) {
    const m = run.machine
    lines.push(`Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.`)
    lines.push(`Load average (1 min) at start ${fixed(m.loadStart, 2)}, at end ${fixed(m.loadEnd, 2)}: other processes shared the ${m.cpus} cores during the run.`)
  }
  lines.push('')

  const targets = evaluateTargets({ core, http, memory })
  if (targets.length > 0) {
    const held = targets.filter((t) => t.holds).length
    lines.push(`### Targets: ${held} of ${targets.length} hold`, '')
    lines.push('| area | target | measured | required | holds | note |', '| --- | --- | --- | --- | --- | --- |')
    for (const t of targets) lines.push(`| ${t.group} | ${t.name} | ${t.measured} | ${t.required} | ${t.holds ? 'yes' : '**no**'} | ${t.note} |`)
    lines.push('')
  }

  if (core !== undefined) {
    const jose = core.results['jose-eddsa']?.opsPerSec
    lines.push(`### In process (no HTTP), medians of ${core.rounds} interleaved rounds of ${core.timeMs} ms per task`, '')
    lines.push('| task | ops/s | vs jose | CPU µs/op | p50 µs | spread |', '| --- | --- | --- | --- | --- | --- |')
    for (const r of Object.values(core.results)) {
      lines.push(`| ${r.label} | ${int(r.opsPerSec)} | ${ratio(r.opsPerSec / jose)} | ${fixed(r.cpuUsPerOp)} | ${fixed(r.p50Us)} | ${pct(r.spread)} |`)
    }
    lines.push('')
  }

  if (http !== undefined) {
    lines.push(
      `### HTTP on loopback, medians of ${http.rounds} interleaved rounds of ${http.durationS} s per cell, ${http.connections} connections`,
      '',
      'CPU µs/request is the server process’s CPU time (user + system, all threads) over the window, divided by the requests it answered: the steadier figure on a shared machine. The load generator (autocannon) runs on the same two cores.',
      '',
    )
    lines.push('| server | request | req/s | p50 ms | p99 ms | CPU µs/req | spread req/s, CPU |', '| --- | --- | --- | --- | --- | --- | --- |')
    for (const r of Object.values(http.results)) {
      lines.push(`| ${r.label} | ${GRANTS[r.grant]} | ${int(r.rps)} | ${fixed(r.p50Ms, 0)} | ${fixed(r.p99Ms, 0)} | ${int(r.cpuUsPerReq)} | ${pct(r.rpsSpread)}, ${pct(r.cpuSpread)} |`)
    }
    lines.push('')
  }

  if (memory !== undefined) {
    const m = memory
    lines.push(`### Memory: ${int(m.tokens)} refresh tokens in MemoryStore`, '')
    lines.push('| stage | heap used (after GC) | store entries |', '| --- | --- | --- |')
    lines.push(`| before | ${fixed(m.heapMiB.before)} MiB | ${int(m.storeEntries.before)} |`)
    lines.push(`| all live (refresh token + access-token record per grant) | ${fixed(m.heapMiB.live)} MiB (peak ${fixed(m.heapMiB.peak)}) | ${int(m.storeEntries.live)} |`)
    lines.push(`| access tokens expired, refresh tokens live | ${fixed(m.heapMiB.refreshOnly)} MiB | ${int(m.storeEntries.refreshOnly)} |`)
    lines.push(`| everything expired | ${fixed(m.heapMiB.after)} MiB | ${int(m.storeEntries.after)} |`)
    lines.push('')
    lines.push(
      `Peak heap per live refresh token: **${int(m.bytesPerRefreshToken)} bytes** (entry, hashed id, grant index); per issued grant with its access-token record: ${int(m.bytesPerGrant)} bytes. Issued at ${int(m.issuingRatePerSec)} grants/s through \`handle()\` while the store grew.`,
      '',
    )
  }
  return lines.join('\n')
}

/** Replaces the generated section of a markdown file (between the markers), keeping the rest. */
export function writeSection(file, body) {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `${START}\n${END}\n`
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) throw new Error(`${file}: the ${START} / ${END} markers are missing`)
  writeFileSync(file, `${text.slice(0, start + START.length)}\n${body}\n${text.slice(end)}`)
}

export function readResults(dir) {
  const read = (name) => {
    const file = new URL(name, dir)
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined
  }
  return { core: read('core.json'), http: read('http.json'), memory: read('memory.json'), run: read('run.json') }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = readResults(new URL('../.results/', import.meta.url))
  const body = renderResults(results)
  writeSection(fileURLToPath(new URL('../RESULTS.md', import.meta.url)), body)
  writeSection(fileURLToPath(new URL('../../docs/performance.md', import.meta.url)), body)
  console.log(body)
}
