import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import {
  applyEdits,
  authorizationArbitrary,
  bodyShapeArbitrary,
  contentTypeArbitrary,
  createFuzzProvider,
  editsArbitrary,
  expectSafeResponse,
  extraHeadersArbitrary,
  fuzzParameters,
  fuzzTimeout,
  headersOf,
  ISSUER,
  liveValues,
  methodArbitrary,
  mutate,
  toBody,
  USERINFO_URL,
  valueArbitrary,
  type FuzzProvider,
  type LiveValues,
  canonicalJws,
} from './harness.js'

let target: FuzzProvider
let live: LiveValues

beforeAll(async () => {
  target = createFuzzProvider()
  live = await liveValues(target)
})

/** Bearer credentials: the live tokens of every kind (an ID token is no access token), mutated, and garbage. */
function bearerArbitrary(): fc.Arbitrary<string | undefined> {
  const tokens = [live.tokens.access_token, live.tokens.id_token, live.service, live.tokens.refresh_token, live.assertion]
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...tokens).chain(mutate).map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: fc.constantFrom(...tokens).map((t) => `bearer  ${t}`) },
    { weight: 2, arbitrary: authorizationArbitrary([]) },
  )
}

describe('fuzz: the UserInfo endpoint (OIDC Core §5.3, RFC 6750 §2, §3) under mutated and random requests', () => {
  it('never answers 5xx, answers every error with a registered code and a Bearer challenge, never accepts a token in the URL, and changes nothing', async () => {
    const names = fc.oneof(fc.constantFrom('access_token', 'scope', 'client_id'), fc.string({ maxLength: 10 }))
    const arbitrary = fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'POST'), methodArbitrary('GET')),
      authorization: bearerArbitrary(),
      edits: fc.constant(null).chain(() => editsArbitrary(valueArbitrary([live.tokens.access_token, live.tokens.id_token]), names)),
      formToken: fc.boolean(),
      shape: bodyShapeArbitrary,
      contentType: contentTypeArbitrary,
      query: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(`?access_token=${live.tokens.access_token}`, '?access_token=', '?x=1') }),
      extra: extraHeadersArbitrary,
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const req: OAuth2Request = {
          method: r.method,
          url: `${USERINFO_URL}${r.query}`,
          headers: headersOf({ contentType: r.contentType, authorization: r.authorization, extra: r.extra }),
          body: toBody(applyEdits(r.formToken ? { access_token: live.tokens.access_token } : {}, r.edits), r.shape),
        }
        target.store.take()
        const result = await target.provider.handle(req)
        const calls = target.store.take()
        expectSafeResponse(req, result, calls, 'json')
        expect(calls.filter((c) => c.effective)).toEqual([])
        // RFC 6750 §2.3 / RFC 9700 §4.3.2: a token in the URL is never honoured.
        if (r.query.startsWith('?access_token=')) expect(result.status).not.toBe(200)
        if (result.status === 200) expect(JSON.parse(result.body)).toMatchObject({ sub: 'user-alice' })
        if (result.status === 401 || result.status === 403) expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="/)
      }),
      fuzzParameters(1200),
    )
  }, fuzzTimeout())
})

describe('fuzz: the resource-server check (RFC 6750 §2, §3; RFC 9068 §4) under random requests', () => {
  it('never throws, accepts only a live access token of this provider, and answers every refusal with a Bearer challenge', async () => {
    const arbitrary = fc.record({
      authorization: bearerArbitrary(),
      extra: extraHeadersArbitrary,
      url: fc.oneof(fc.constant('/api'), fc.constantFrom(`/api?access_token=${live.service}`, 'http://[::1', '//x', '/api?%'), fc.string({ maxLength: 30 })),
      body: fc.oneof(fc.constant(undefined), fc.constantFrom(`access_token=${live.service}`, '%', ''), fc.string({ maxLength: 50 })),
      contentType: contentTypeArbitrary,
      scopes: fc.constantFrom(undefined, [], ['read'], ['write'], ['openid']),
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const headers = headersOf({ authorization: r.authorization, contentType: r.contentType, extra: r.extra })
        const auth = await target.provider.authenticateResourceRequest({ headers, url: r.url, body: r.body }, { scopes: r.scopes })
        if (auth.ok) {
          // Only an access token this provider issued: never an ID token, a refresh token or an assertion.
          // RFC 6750 §2.1: "Bearer" 1*SP b64token, the scheme in any case.
          const presented = /^bearer +(.*)$/i.exec(r.authorization ?? '')?.[1]
          // A JWS is the same token when its parts decode to the same bytes: base64url's unused
          // trailing bits (RFC 4648 §3.5) may differ in the string without changing the signature.
          expect([live.tokens.access_token, live.service].map(canonicalJws)).toContain(canonicalJws(presented ?? ''))
          expect(auth.token.format).toBe('jwt')
          return
        }
        expect(auth.status).toBeGreaterThanOrEqual(400)
        expect(auth.status).toBeLessThan(500)
        expect(auth.headers['www-authenticate']).toMatch(new RegExp(`^Bearer realm="${ISSUER}"`))
        if (auth.body !== '') expect(['invalid_request', 'invalid_token', 'insufficient_scope']).toContain(JSON.parse(auth.body).error)
      }),
      fuzzParameters(1200),
    )
    expect(target.reported).toEqual([])
  }, fuzzTimeout())
})

