import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import { Browser, hiddenFields } from '../fixtures/device-flow.js'
import { basicAuth } from '../fixtures/request.js'
import {
  AUTHORIZE_URL,
  clientAssertion,
  createFuzzProvider,
  DEVICE_GRANT,
  FORM,
  fuzzTimeout,
  HOSTILE,
  INTROSPECT_URL,
  liveValues,
  RS_BASIC,
  runs,
  TOKEN_URL,
  USERINFO_URL,
  VERIFY_URL,
  type FuzzProvider,
} from './harness.js'

/**
 * A forced garbage collection without starting node with --expose-gc: the flag can be set at run
 * time, and a new context then sees `gc`. Without it the trend below is only noisier.
 */
function collector(): () => void {
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    return () => gc()
  } catch {
    return () => {}
  }
}

let target: FuzzProvider
let csrfFields: Record<string, string>
let csrfCookie: string

beforeAll(async () => {
  target = createFuzzProvider()
  await liveValues(target)
  const browser = new Browser(target.provider)
  csrfFields = hiddenFields((await browser.get(VERIFY_URL)).body)
  csrfCookie = [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
})

/** One bad request of each kind, varied by `i` (fresh ids, addresses, jtis), cycling through them. */
async function badRequest(i: number, now: number): Promise<OAuth2Request> {
  const junk = encode(HOSTILE[i % HOSTILE.length]!)
  switch (i % 9) {
    case 0:
      return { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM, authorization: basicAuth(`client-${i}`, 'x') }, body: 'grant_type=client_credentials' }
    case 1:
      return { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM }, body: `grant_type=${DEVICE_GRANT}&client_id=tv&device_code=unknown-${i}` }
    case 2:
      return { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM }, body: `grant_type=refresh_token&client_id=native-app&refresh_token=rt-${i}` }
    case 3:
      // A valid assertion spends its jti (a replay entry) before the grant fails: those must expire too.
      return {
        method: 'POST',
        url: TOKEN_URL,
        headers: { 'content-type': FORM },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: `code-${i}`,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await clientAssertion(now),
        }).toString(),
      }
    case 4:
      return { method: 'GET', url: `${AUTHORIZE_URL}?client_id=web-app&response_type=code&state=${junk}&scope=${i}`, headers: {} }
    case 5:
      // Every user-code attempt from a new address takes a rate-limit slot until its window ends.
      return {
        method: 'POST',
        url: VERIFY_URL,
        headers: { 'content-type': FORM, cookie: csrfCookie },
        body: new URLSearchParams({ ...csrfFields, user_code: `BCDF-${String(i).padStart(4, '0')}` }).toString(),
        clientAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      }
    case 6:
      return { method: 'GET', url: USERINFO_URL, headers: { authorization: `Bearer ${junk === '' ? 'x' : junk}.${i}` } }
    case 7:
      return { method: 'POST', url: INTROSPECT_URL, headers: { 'content-type': FORM, authorization: RS_BASIC }, body: `token=t-${i}` }
    default:
      return { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM }, body: `${'x'.repeat(i % 5000)}&&=%zz&grant_type=${i}` }
  }
}

/** Percent-encodes a value; a lone surrogate (which cannot be encoded) becomes its code point. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return value.replace(/[\uD800-\uDFFF]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
  }
}

describe('fuzz: the process stays healthy under a long run of bad requests', () => {
  it('keeps the heap and the store bounded over many rejected requests, with time passing', async () => {
    const gc = collector()
    const batches = 10
    const perBatch = runs(2000)
    const heap: number[] = []
    const storeSize: number[] = []
    let i = 0
    for (let batch = 0; batch < batches; batch++) {
      for (let n = 0; n < perBatch; n++, i++) {
        const result = await target.provider.handle(await badRequest(i, target.clock.now()))
        if (result.status >= 500) throw new Error(`request ${i} answered ${result.status}: ${result.body}`)
      }
      // Twenty minutes pass per batch: rate-limit windows (15 min), assertion jtis and codes expire.
      target.clock.advance(20 * 60 * 1000)
      target.store.take()
      gc()
      heap.push(process.memoryUsage().heapUsed)
      storeSize.push(target.store.size)
    }
    const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)
    const summary = `heap MB per batch: ${heap.map(mb).join(' ')}; store entries: ${storeSize.join(' ')}`
    // The store holds at most what one window of requests left, plus the sweep's slack (twice the live entries).
    for (const size of storeSize) expect(size, summary).toBeLessThan(perBatch * 3 + 2048)
    // After the first batches (JIT, caches, keys), the heap does not keep growing with the requests.
    const early = Math.max(...heap.slice(2, 4))
    const late = Math.min(...heap.slice(-3))
    expect(late - early, summary).toBeLessThan(32 * 1024 * 1024)
    expect(target.reported).toEqual([])
  }, fuzzTimeout(120_000))

  it('never grows the store on requests it rejects outright, however many (RFC 6749 §5.2)', async () => {
    const before = target.store.size
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 64 }), fc.string({ maxLength: 64 }), async (id, secret) => {
        const result = await target.provider.handle({
          method: 'POST',
          url: TOKEN_URL,
          headers: { 'content-type': FORM, authorization: basicAuth(id === '' ? 'x' : id, secret) },
          body: 'grant_type=client_credentials',
        })
        expect(result.status).toBeLessThan(500)
      }),
      { numRuns: runs(2000) },
    )
    expect(target.store.size).toBe(before)
  }, fuzzTimeout())
})
