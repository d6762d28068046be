import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { headerLookup } from '../../src/internal/headers.js'
import type { OAuth2RequestHeaders, OAuth2Result } from '../../src/types.js'
import { authorize, codeFlowProvider, codeRequest, WEB_AUTH } from '../fixtures/authorization.js'
import { ISSUER, tokenRequest } from '../fixtures/request.js'

/** What handle() read headers through before: a Web Headers built from the record (the reference). */
function viaHeaders(input: Record<string, unknown>): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    try {
      if (typeof value === 'string') headers.append(name, value)
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') headers.append(name, v)
    } catch {
      // Refused by Headers: not a header the core can read.
    }
  }
  return headers
}

const NAMES = ['authorization', 'Authorization', 'AUTHORIZATION', 'content-type', 'Content-Type', 'cookie', 'Cookie', 'x-a', 'bad name', 'coo\u212Aie', '123']
const LOOKUPS = ['authorization', 'Authorization', 'content-type', 'cookie', 'x-a', '123', 'missing']
const piece = fc.constantFrom('a', 'Basic x', ' ', '\t', '\r', '\n', '\0', '\u0001', '\u007f', 'é', '\u00ff', 'Ā', '😀', ',', ';', '=')
const value = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''))
const field = fc.oneof(value, fc.array(fc.oneof(value, fc.constant(7 as unknown as string)), { maxLength: 3 }), fc.constant(undefined), fc.constant(3 as unknown as string))

// RFC 9110 §5.2-5.3: names are case-insensitive and repeated fields combine into one list; the
// core reads a plain header record as a Web Headers built from it would read.
describe('RFC 9110 §5.3 request header fields, as the core reads them', () => {
  it('answers every lookup on a plain record exactly as a Headers built from it', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...NAMES), field, { maxKeys: 6 }), (record) => {
        const reference = viaHeaders(record)
        const lookup = headerLookup(record as OAuth2RequestHeaders)
        for (const name of LOOKUPS) expect(lookup.get(name), name).toBe(reference.get(name))
      }),
      { numRuns: 2000 },
    )
  })

  it('answers the same on a null-prototype record, as Node builds headersDistinct', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...NAMES), field, { maxKeys: 6 }), (record) => {
        const reference = viaHeaders(record)
        const bare = Object.assign(Object.create(null) as Record<string, unknown>, record)
        const lookup = headerLookup(bare as OAuth2RequestHeaders)
        // Twice: the record's names are listed at the first lookup and reused.
        for (const name of [...LOOKUPS, ...LOOKUPS]) expect(lookup.get(name), name).toBe(reference.get(name))
      }),
      { numRuns: 1000 },
    )
  })

  // Node's rawHeaders: the fields as received, in order, each pair its own field line.
  it('answers every lookup on name and value pairs (Node rawHeaders) as a Headers they were appended to', () => {
    const pair = fc.tuple(fc.constantFrom(...NAMES), fc.oneof(value, fc.constant(5 as unknown as string)))
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), fc.boolean(), (pairs, odd) => {
        const reference = new Headers()
        for (const [name, v] of pairs) {
          try {
            if (typeof v === 'string') reference.append(name, v)
          } catch {
            // Refused by Headers: not a field the core can read.
          }
        }
        // A trailing name without a value (not what Node sends) is ignored.
        const raw = [...pairs.flat(), ...(odd ? ['authorization'] : [])]
        const lookup = headerLookup(raw as OAuth2RequestHeaders)
        for (const name of [...LOOKUPS, ...LOOKUPS]) expect(lookup.get(name), name).toBe(reference.get(name))
      }),
      { numRuns: 2000 },
    )
  })

  it('reads Node rawHeaders as it reads the headersDistinct record Node builds from them', () => {
    const raw = ['Host', 'as.example.com', 'Content-Type', 'application/x-www-form-urlencoded', 'Authorization', 'Basic YTpi', 'authorization', 'Basic YzpK', 'Cookie', 'a=1', 'cookie', 'b=2']
    const distinct: Record<string, string[]> = Object.create(null) as Record<string, string[]>
    for (let i = 0; i < raw.length; i += 2) (distinct[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!)
    const fromRaw = headerLookup(raw)
    const fromRecord = headerLookup(distinct)
    for (const name of ['host', 'content-type', 'authorization', 'cookie', 'missing']) expect(fromRaw.get(name), name).toBe(fromRecord.get(name))
    expect(fromRaw.get('authorization')).toBe('Basic YTpi, Basic YzpK')
    expect(fromRaw.get('cookie')).toBe('a=1; b=2')
  })

  it('refuses two Authorization values in a record list or in raw pairs as it refuses them in Headers', async () => {
    const { provider } = codeFlowProvider()
    const twice = [WEB_AUTH.authorization, WEB_AUTH.authorization]
    const fromRecord = await provider.handle({ ...tokenRequest({ grant_type: 'client_credentials' }), headers: { authorization: twice } })
    const headers = new Headers()
    for (const v of twice) headers.append('authorization', v)
    const fromHeaders = await provider.handle({ ...tokenRequest({ grant_type: 'client_credentials' }), headers })
    const fromRaw = await provider.handle({ ...tokenRequest({ grant_type: 'client_credentials' }), headers: ['Authorization', twice[0]!, 'authorization', twice[1]!] })
    expect(fromRecord.status).toBeGreaterThanOrEqual(400)
    expect(fromRecord).toEqual(fromHeaders)
    expect(fromRaw).toEqual(fromHeaders)
  })
})

// RFC 9112 §3.2.1: a Node adapter passes the origin-form target ('/path?query'); the provider must
// route it as the URL it stands for, resolved against the issuer.
describe('RFC 9112 §3.2.1 request target (origin form), routed as its URL', () => {
  const segment = fc.constantFrom('oauth2', 'keys', 'authorize', '.well-known', 'oauth-authorization-server', '.', '..', '%2e', '%6Fauth2', '', 'a b', '\\', 'é', '\t', ';x', "a'b")
  const target = fc
    .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '?x=1', '#f', '?a=b#c'))
    .map(([segments, tail]) => `/${segments.join('/')}${tail}`)

  it('answers a path target exactly as the absolute URL it resolves to', async () => {
    const { provider } = codeFlowProvider()
    await fc.assert(
      fc.asyncProperty(target, async (path) => {
        // A target the URL parser refuses ('/\\' is scheme-relative to it) must get the malformed-URL answer.
        const absolute = URL.canParse(path, ISSUER) ? new URL(path, ISSUER).href : 'http://['
        const viaPath = await provider.handle({ method: 'GET', url: path, headers: {} })
        const viaUrl = await provider.handle({ method: 'GET', url: absolute, headers: {} })
        expect(withoutNonces(viaPath), path).toEqual(withoutNonces(viaUrl))
      }),
      { numRuns: 500 },
    )
  })

  it('reads the query of a path target (authorization request parameters, RFC 6749 §4.1.1)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const page = await authorize(provider, params, {}, '/oauth2/authorize')
    expect(page.status).toBe(200)
    const withoutClient = { ...params }
    delete withoutClient['client_id']
    expect((await authorize(provider, withoutClient, {}, '/oauth2/authorize')).status).toBe(400)
  })
})

/** HTML pages carry a fresh CSP nonce each time: compare them with the nonces blanked out. */
function withoutNonces(result: OAuth2Result): OAuth2Result {
  const blank = (text: string) => text.replace(/nonce-[A-Za-z0-9_-]+/g, 'nonce-N').replace(/nonce="[A-Za-z0-9_-]+"/g, 'nonce="N"')
  return { ...result, body: blank(result.body), headers: Object.fromEntries(Object.entries(result.headers).map(([k, v]) => [k, blank(v)])) }
}
