import fc from 'fast-check'
import { SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import { basicAuth, json } from '../fixtures/request.js'
import {
  applyEdits,
  authorizationArbitrary,
  bodyShapeArbitrary,
  clientAssertion,
  contentTypeArbitrary,
  createFuzzProvider,
  DEVICE_GRANT,
  editsArbitrary,
  extraHeadersArbitrary,
  freshCode,
  freshTokens,
  fuzzParameters,
  fuzzTimeout,
  handleSafely,
  headersOf,
  liveValues,
  methodArbitrary,
  REDIRECT_URI,
  SECRET_JWT_SECRET,
  SVC_BASIC,
  toBody,
  TOKEN_URL,
  valueArbitrary,
  WEB_BASIC,
  type FuzzProvider,
  type LiveValues,
} from './harness.js'

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** A valid request of each kind the token endpoint serves; the property breaks it a little. */
type Template = () => Promise<{ params: Record<string, string>; authorization?: string }>

let target: FuzzProvider
let live: LiveValues
let templates: Record<string, Template>

beforeAll(async () => {
  target = createFuzzProvider()
  live = await liveValues(target)
  const now = () => target.clock.now()
  templates = {
    // A fresh code each time: the first redemption succeeds, the rest of the run spends nothing.
    'code, fresh': async () => {
      const { code, verifier } = await freshCode(target.provider)
      return { params: { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI }, authorization: WEB_BASIC }
    },
    'code, spent': async () => ({
      params: { grant_type: 'authorization_code', code: live.code.code, code_verifier: live.code.verifier, redirect_uri: REDIRECT_URI },
      authorization: WEB_BASIC,
    }),
    'code, public client': async () => {
      const { code, verifier } = await freshCode(target.provider, 'native-app', 'openid')
      return { params: { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_id: 'native-app' } }
    },
    'refresh, fresh': async () => {
      const tokens = await freshTokens(target.provider)
      return { params: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, authorization: WEB_BASIC }
    },
    'refresh, live': async () => ({ params: { grant_type: 'refresh_token', refresh_token: live.tokens.refresh_token, scope: 'openid' }, authorization: WEB_BASIC }),
    'client_credentials, basic': async () => ({ params: { grant_type: 'client_credentials', scope: 'read' }, authorization: SVC_BASIC }),
    'client_credentials, post': async () => ({
      params: { grant_type: 'client_credentials', client_id: 'post-app', client_secret: 'post-app-secret' },
    }),
    'client_credentials, private_key_jwt': async () => ({
      params: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await clientAssertion(now()) },
    }),
    'client_credentials, client_secret_jwt': async () => ({
      params: {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await new SignJWT({ jti: crypto.randomUUID() })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('hmac-app')
          .setSubject('hmac-app')
          .setAudience(TOKEN_URL)
          .setExpirationTime(Math.floor(now() / 1000) + 60)
          .sign(new TextEncoder().encode(SECRET_JWT_SECRET)),
      },
    }),
    'device_code, pending': async () => ({ params: { grant_type: DEVICE_GRANT, device_code: live.device.device_code, client_id: 'tv' } }),
    'device_code, approved': async () => ({ params: { grant_type: DEVICE_GRANT, device_code: live.approvedDevice.device_code, client_id: 'tv' } }),
    'password (RFC 9700 §2.4: not served)': async () => ({ params: { grant_type: 'password', username: 'alice', password: 'wonderland' }, authorization: WEB_BASIC }),
    'nothing valid': async () => ({ params: {} }),
  }
})

const names = fc.oneof(
  fc.constantFrom(
    'grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'device_code', 'client_id', 'client_secret',
    'client_assertion', 'client_assertion_type', 'username', 'password', 'resource', 'audience', 'nonce', '__proto__', 'constructor',
  ),
  fc.string({ maxLength: 12 }),
)

describe('fuzz: the token endpoint (RFC 6749 §3.2, §5.2) under mutated and random requests', () => {
  it('never answers 5xx, answers every error with a registered RFC 6749 §5.2 object, and changes no state on a rejection', async () => {
    const liveStrings = () => [
      live.code.code, live.code.verifier, live.tokens.refresh_token, live.tokens.access_token, live.tokens.id_token, live.service,
      live.device.device_code, live.approvedDevice.device_code, live.assertion, 'web-app', 'native-app', 'jwt-app', 'svc',
      'authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT, ASSERTION_TYPE, REDIRECT_URI, 'openid profile', 'read',
    ]
    const request = fc.record({
      template: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom('code, fresh', 'code, public client', 'refresh, fresh') },
        {
          weight: 6,
          arbitrary: fc.constantFrom(
            'code, spent', 'refresh, live', 'client_credentials, basic', 'client_credentials, post', 'client_credentials, private_key_jwt',
            'client_credentials, client_secret_jwt', 'device_code, pending', 'device_code, approved', 'password (RFC 9700 §2.4: not served)', 'nothing valid',
          ),
        },
      ),
      edits: fc.constant(null).chain(() => editsArbitrary(valueArbitrary(liveStrings()), names)),
      shape: bodyShapeArbitrary,
      method: methodArbitrary('POST'),
      contentType: contentTypeArbitrary,
      authorization: fc.oneof({ weight: 4, arbitrary: fc.constant('template' as const) }, { weight: 1, arbitrary: authorizationArbitrary([WEB_BASIC, SVC_BASIC, basicAuth('rs', 'rs-secret')]) }),
      url: fc.oneof({ weight: 9, arbitrary: fc.constant(TOKEN_URL) }, { weight: 1, arbitrary: fc.constantFrom('/oauth2/token', `${TOKEN_URL}?grant_type=client_credentials`, `${TOKEN_URL}?code=x`, '/oauth2/token/', '/OAUTH2/TOKEN') }),
      extra: extraHeadersArbitrary,
    })

    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const template = await templates[r.template]!()
        const authorization = r.authorization === 'template' ? template.authorization : r.authorization
        const req: OAuth2Request = {
          method: r.method,
          url: r.url,
          headers: headersOf({ contentType: r.contentType, authorization, extra: r.extra }),
          body: toBody(applyEdits(template.params, r.edits), r.shape),
        }
        const result = await handleSafely(target, req, 'json')
        if (result.status === 200) {
          const body = json(result)
          expect(typeof body['access_token']).toBe('string')
          expect(body['token_type']).toBe('Bearer')
          expect(result.headers['cache-control']).toBe('no-store')
        }
      }),
      fuzzParameters(2000),
    )
  }, fuzzTimeout())
})
