/**
 * Profiles one token-endpoint scenario of the core in process: run it with
 * `node --cpu-prof --cpu-prof-dir=.results/profiles src/profile.mjs <cc|refresh> <opaque|jwt> [n]`,
 * then `node src/profile-summary.mjs <file.cpuprofile>` lists where the time goes.
 */
import { createCoreProvider, seedRefreshTokens } from '../servers/lib/core-provider.mjs'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, ISSUER, TOKEN_PATH, refreshBody, refreshTokenOf } from './config.mjs'

const [grant = 'cc', format = 'opaque', count = '20000'] = process.argv.slice(2)
const n = Number(count)
const { provider } = createCoreProvider({ format })
const url = `${ISSUER}${TOKEN_PATH}`
let [token] = grant === 'refresh' ? await seedRefreshTokens(provider, 1) : []
const started = performance.now()
const cpu = process.cpuUsage()
for (let i = 0; i < n; i++) {
  const body = grant === 'refresh' ? refreshBody(token) : CLIENT_CREDENTIALS_BODY
  const result = await provider.handle({ method: 'POST', url, headers: FORM_HEADERS, body })
  if (result.status !== 200) throw new Error(`${result.status} ${result.body}`)
  if (grant === 'refresh') token = refreshTokenOf(result.body)
}
const d = process.cpuUsage(cpu)
const ms = performance.now() - started
console.log(`${grant} ${format}: ${Math.round((n / ms) * 1000)} ops/s, ${((d.user + d.system) / n).toFixed(1)} µs CPU/op`)
