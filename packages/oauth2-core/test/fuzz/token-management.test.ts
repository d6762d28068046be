import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import { basicAuth, json } from '../fixtures/request.js'
import {
  applyEdits,
  authorizationArbitrary,
  bodyShapeArbitrary,
  contentTypeArbitrary,
  createFuzzProvider,
  editsArbitrary,
  expectSafeResponse,
  extraHeadersArbitrary,
  freshTokens,
  fuzzParameters,
  fuzzTimeout,
  headersOf,
  INTROSPECT_URL,
  liveValues,
  methodArbitrary,
  REVOKE_URL,
  RS_BASIC,
  SVC_BASIC,
  toBody,
  valueArbitrary,
  WEB_BASIC,
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

const names = fc.oneof(fc.constantFrom('token', 'token_type_hint', 'client_id', 'client_secret', 'client_assertion', 'client_assertion_type'), fc.string({ maxLength: 10 }))
const hints = ['access_token', 'refresh_token', 'id_token', 'device_code', 'ACCESS_TOKEN', '']

function tokenPool(): string[] {
  return [live.tokens.access_token, live.tokens.refresh_token, live.tokens.id_token, live.service, live.code.code, live.device.device_code, live.assertion, ...hints]
}

describe('fuzz: introspection (RFC 7662 §2) under mutated and random requests', () => {
  it('never answers 5xx, never describes a token to a caller it does not concern, and changes nothing', async () => {
    const arbitrary = fc.record({
      template: fc.constantFrom('token', 'token+hint', 'nothing'),
      edits: fc.constant(null).chain(() => editsArbitrary(valueArbitrary(tokenPool()), names)),
      shape: bodyShapeArbitrary,
      method: methodArbitrary('POST'),
      contentType: contentTypeArbitrary,
      authorization: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(RS_BASIC, WEB_BASIC, SVC_BASIC) }, { weight: 1, arbitrary: authorizationArbitrary([basicAuth('tv', '')]) }),
      extra: extraHeadersArbitrary,
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const base = r.template === 'nothing' ? {} : { token: live.tokens.access_token, ...(r.template === 'token+hint' ? { token_type_hint: 'refresh_token' } : {}) }
        const req: OAuth2Request = {
          method: r.method,
          url: INTROSPECT_URL,
          headers: headersOf({ contentType: r.contentType, authorization: r.authorization, extra: r.extra }),
          body: toBody(applyEdits(base, r.edits), r.shape),
        }
        target.store.take()
        const result = await target.provider.handle(req)
        const calls = target.store.take()
        expectSafeResponse(req, result, calls, 'json')
        // Introspection changes nothing, even when it answers 200 (a client assertion spends its jti, RFC 7523 §3).
        expect(calls.filter((c) => c.effective && c.kind !== 'replay')).toEqual([])
        if (result.status === 200) {
          const body = json(result)
          expect(typeof body['active']).toBe('boolean')
          if (body['active'] === false) expect(Object.keys(body)).toEqual(['active'])
          // RFC 7662 §4: a caller learns only about tokens that concern it.
          if (body['active'] === true) expect([body['client_id'], ...[body['aud']].flat()]).toContain(r.authorization === RS_BASIC ? 'rs' : r.authorization === SVC_BASIC ? 'svc' : 'web-app')
        }
      }),
      fuzzParameters(1200),
    )
  }, fuzzTimeout())
})

describe('fuzz: revocation (RFC 7009 §2) under mutated and random requests', () => {
  it('never answers 5xx, answers errors with registered codes, and revokes nothing for a rejected request or another client', async () => {
    const arbitrary = fc.record({
      fresh: fc.boolean(),
      edits: fc.constant(null).chain(() => editsArbitrary(valueArbitrary(tokenPool()), names)),
      shape: bodyShapeArbitrary,
      method: methodArbitrary('POST'),
      contentType: contentTypeArbitrary,
      authorization: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(WEB_BASIC, SVC_BASIC, RS_BASIC) }, { weight: 1, arbitrary: authorizationArbitrary([basicAuth('tv', '')]) }),
      extra: extraHeadersArbitrary,
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        // A fresh grant now and then, so that the edits sometimes hit a live token.
        const token = r.fresh ? (await freshTokens(target.provider)).refresh_token : live.tokens.refresh_token
        const req: OAuth2Request = {
          method: r.method,
          url: REVOKE_URL,
          headers: headersOf({ contentType: r.contentType, authorization: r.authorization, extra: r.extra }),
          body: toBody(applyEdits({ token, token_type_hint: 'refresh_token' }, r.edits), r.shape),
        }
        target.store.take()
        const result = await target.provider.handle(req)
        const calls = target.store.take()
        expectSafeResponse(req, result, calls, 'json')
        // RFC 7009 §2.1: only the client the token was issued to can revoke it. The pool holds
        // web-app's tokens and one access token of svc, which svc itself may revoke.
        const presented = new URLSearchParams(typeof req.body === 'string' ? req.body : (req.body?.toString() ?? '')).getAll('token')
        const ownsPresented = r.authorization === WEB_BASIC || (r.authorization === SVC_BASIC && presented.map(canonicalJws).includes(canonicalJws(live.service)))
        if (!ownsPresented) expect(calls.filter((c) => c.effective && c.kind !== 'replay')).toEqual([])
        if (result.status === 200) expect(result.body).toBe('')
      }),
      fuzzParameters(600),
    )
  }, fuzzTimeout())
})
