/**
 * Where a token request's allocations come from: V8's sampling heap profiler, objects later
 * collected included, over n in-process `handle()` calls; bytes per call by allocating function.
 *
 *   FORMAT=jwt node src/alloc-profile.mjs <cc|refresh> [n] [top]
 */
import { Session } from 'node:inspector/promises'
import { createCoreProvider, seedRefreshTokens } from '../servers/lib/core-provider.mjs'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, TOKEN_PATH, refreshBody, refreshTokenOf } from './config.mjs'
const [grant = 'cc', n = '30000', top = '40'] = process.argv.slice(2)
const { provider } = createCoreProvider({ format: process.env.FORMAT ?? 'opaque' })
const headers = { 'content-type': ['application/x-www-form-urlencoded'], authorization: [FORM_HEADERS.authorization] }
let [token] = grant === 'refresh' ? await seedRefreshTokens(provider, 1) : []
const run = async (k) => { for (let i = 0; i < k; i++) { const r = await provider.handle({ method: 'POST', url: TOKEN_PATH, headers, body: grant === 'refresh' ? refreshBody(token) : CLIENT_CREDENTIALS_BODY }); if (grant === 'refresh') token = refreshTokenOf(r.body) } }
await run(5000)
const s = new Session(); s.connect()
await s.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
await run(Number(n))
const { profile } = await s.post('HeapProfiler.stopSampling')
const self = new Map(); const incl = new Map()
const name = (f) => `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(oauth2-core\/dist\/|node_modules\/\.pnpm\/[^/]+\/node_modules\/)/, '')}:${f.lineNumber + 1}`
const walk = (node, stack) => {
  const k = name(node.callFrame)
  const size = node.selfSize
  self.set(k, (self.get(k) ?? 0) + size)
  const here = [...stack, k]
  for (const f of new Set(here)) incl.set(f, (incl.get(f) ?? 0) + size)
  for (const c of node.children) walk(c, here)
}
walk(profile.head, [])
const total = [...self.values()].reduce((a, b) => a + b, 0)
console.log(`${grant}: ~${Math.round(total / Number(n))} B sampled per handle()`)
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(String(Math.round(v / Number(n))).padStart(6), 'B self ', k)
console.log('--- inclusive')
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(String(Math.round(v / Number(n))).padStart(6), 'B incl ', k)
