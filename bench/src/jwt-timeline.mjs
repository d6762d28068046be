/**
 * Where the time of a JWT grant goes, against a bare jose `SignJWT` of the same claims: wall time
 * from the call to `crypto.subtle.sign` (the main thread's work before the signature), the
 * signature itself (WebCrypto runs it on the thread pool, the main thread idles unless it has work),
 * and what follows until the answer. Each figure is the median of one run of `n` calls after a
 * warm-up of a quarter of them, one call at a time, as the in-process suite calls them.
 * `crypto.subtle.sign` is wrapped to take the two timestamps; that costs the same in every row.
 *
 *   node src/jwt-timeline.mjs [n]
 */
import { randomBytes } from 'node:crypto'
import { generateKeyPair, SignJWT } from 'jose'
import { createCoreProvider, seedRefreshTokens } from '../servers/lib/core-provider.mjs'
import { CLIENT_CREDENTIALS_BODY, CLIENT_ID, FORM_HEADERS, ISSUER, SCOPE, TOKEN_PATH, TOKEN_TTL, refreshBody, refreshTokenOf } from './config.mjs'
import { median } from './stats.mjs'

const n = Number(process.argv[2] ?? 4000)
const subtle = globalThis.crypto.subtle
const sign = subtle.sign.bind(subtle)
let called = 0
let signed = 0
subtle.sign = (...args) => {
  called = performance.now()
  return sign(...args).then((signature) => {
    signed = performance.now()
    return signature
  })
}

const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
async function jose() {
  const iat = Math.floor(Date.now() / 1000)
  const claims = { iss: ISSUER, aud: ISSUER, iat, exp: iat + TOKEN_TTL, jti: randomBytes(16).toString('base64url'), sub: CLIENT_ID, client_id: CLIENT_ID, scope: SCOPE }
  await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'bench', typ: 'at+jwt' }).sign(privateKey)
}
const { provider } = createCoreProvider({ format: 'jwt' })
const url = `${ISSUER}${TOKEN_PATH}`
async function post(body) {
  const result = await provider.handle({ method: 'POST', url, headers: FORM_HEADERS, body })
  if (result.status !== 200) throw new Error(`${result.status} ${result.body}`)
  return result.body
}
let [token] = await seedRefreshTokens(provider, 1)
const tasks = [
  ['jose SignJWT, EdDSA, same claims', jose],
  ['handle() client_credentials, EdDSA JWT', () => post(CLIENT_CREDENTIALS_BODY)],
  ['handle() refresh_token rotating, EdDSA JWT', async () => (token = refreshTokenOf(await post(refreshBody(token))))],
]

const µs = (ms) => (ms * 1000).toFixed(1)
console.log('| task | before the signature | signature (thread pool) | after it | total µs (median) |\n| --- | --- | --- | --- | --- |')
for (const [label, run] of tasks) {
  const before = []
  const during = []
  const after = []
  const total = []
  for (let i = 0; i < n + n / 4; i++) {
    const start = performance.now()
    await run()
    const end = performance.now()
    if (i < n / 4) continue
    before.push(called - start)
    during.push(signed - called)
    after.push(end - signed)
    total.push(end - start)
  }
  console.log(`| ${label} | ${µs(median(before))} | ${µs(median(during))} | ${µs(median(after))} | ${µs(median(total))} |`)
}
