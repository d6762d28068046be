import fc from 'fast-check'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  MultipleFlowsBuilder,
  OAuth2AuthorizationCodeBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2DeviceAuthorizationBuilder,
  OAuth2TokenResponse,
  PrivateKeyJwt,
  type ClientMetadata,
  type OAuth2Request,
} from '@x/oauth2-core'
import { clientKeyPair } from '../fixtures/keys.js'
import { basicAuth, FORM, ISSUER, TOKEN_URL } from '../fixtures/request.js'

/** Every code a token endpoint may answer with (RFC 6749 §5.2, RFC 8628 §3.5). */
const TOKEN_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
])
const NQSCHAR = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/

const client = await clientKeyPair('ES256')
const clients: Record<string, ClientMetadata> = {
  basic: { client_id: 'basic', client_secret: 'secret:with+chars%', grant_types: ['client_credentials', 'authorization_code', 'refresh_token'] },
  public: { client_id: 'public', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'] },
  jwt: { client_id: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [client.publicJwk] }, grant_types: ['client_credentials'] },
}

/** Handlers that never throw: every 5xx would then be the core's fault. */
const ok = () => new OAuth2TokenResponse({ access_token: 'at' }).setExpiresIn(60)
const provider = MultipleFlowsBuilder.create()
  .setIssuer(ISSUER)
  .findClient((id) => clients[id])
  .add(
    OAuth2AuthorizationCodeBuilder.create()
      .addClientAuthenticationMethod('client_secret_basic')
      .addClientAuthenticationMethod('client_secret_post')
      .addClientAuthenticationMethod('none')
      .setScopes({ read: 'r', write: 'w' })
      .tokenRoute((r) => r.generateToken(({ code }) => (code === 'good' ? ok() : { error: 'invalid_grant' })))
      .refreshTokenRoute((r) => r.generateToken(({ refreshToken }) => (refreshToken === 'good' ? ok() : null))),
  )
  .add(
    OAuth2ClientCredentialsBuilder.create()
      .addClientAuthenticationMethod('client_secret_basic')
      .addClientAuthenticationMethod(new PrivateKeyJwt())
      .tokenRoute((r) => r.generateToken(ok)),
  )
  .add(
    OAuth2DeviceAuthorizationBuilder.create()
      .addClientAuthenticationMethod('none')
      .tokenRoute((r) => r.generateToken(() => ({ error: 'authorization_pending' }))),
  )
  .build()

const assertion = await new SignJWT({ jti: 'fuzz' })
  .setProtectedHeader({ alg: 'ES256' })
  .setIssuer('jwt')
  .setSubject('jwt')
  .setAudience(TOKEN_URL)
  .setIssuedAt()
  .setExpirationTime('2m')
  .sign(client.privateKey)

const names = fc.constantFrom(
  'grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'device_code', 'client_id',
  'client_secret', 'client_assertion', 'client_assertion_type', 'username', 'password',
)
const values = fc.oneof(
  fc.constantFrom(
    'authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', 'password',
    'good', 'bad', 'read', 'read write', 'admin', 'basic', 'public', 'jwt', 'secret:with+chars%',
    'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', assertion, `${assertion.slice(0, -3)}abc`, 'a.b.c',
    'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'https://app.example.com/cb', '',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 5000 }),
)
const authorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(basicAuth('basic', 'secret:with+chars%'), basicAuth('basic', 'wrong'), basicAuth('nobody', 'x'), 'Basic', 'Basic !!!', 'Basic Og==', 'Bearer abc', 'basic    '),
  fc.string({ maxLength: 60 }).map((s) => `Basic ${s}`),
  fc.string({ maxLength: 60 }),
)
const contentType = fc.oneof(fc.constant(FORM), fc.constantFrom(`${FORM}; charset=utf-8`, 'application/json', 'text/plain', ''), fc.string({ maxLength: 30 }))
const method = fc.oneof(fc.constant('POST'), fc.constantFrom('GET', 'PUT', 'post', 'OPTIONS', ''), fc.string({ maxLength: 8 }))

/** A form body: valid pairs, raw mutations, or anything at all. */
const body = fc.oneof(
  fc.array(fc.tuple(names, values), { maxLength: 8 }).map((pairs) => {
    const params = new URLSearchParams()
    for (const [n, v] of pairs) params.append(n, v)
    return params.toString()
  }),
  fc.array(fc.tuple(names, values), { maxLength: 8 }).map((pairs) => new URLSearchParams(pairs)),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('%', '%zz', 'grant_type=%E0%A4%A', '&&&==&', 'grant_type', '=x', null, undefined),
)

const request: fc.Arbitrary<OAuth2Request> = fc.record({
  method,
  url: fc.oneof(fc.constant(TOKEN_URL), fc.constantFrom('/oauth2/token', `${TOKEN_URL}?grant_type=client_credentials`, '/oauth2/keys', '//evil', 'http://[::1')),
  headers: fc.record({ 'content-type': contentType, authorization }, { requiredKeys: [] }).map((h) =>
    Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>,
  ),
  body,
})

describe('RFC 6749 §5.2 under random and mutated token requests', () => {
  it('never answers 5xx and only ever sends a registered error object', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const result = await provider.handle(req)
        expect(result.status).toBeLessThan(500)
        if (result.status === 200) {
          const parsed = JSON.parse(result.body) as Record<string, unknown>
          expect(typeof parsed['access_token'] === 'string' || Array.isArray(parsed['keys'])).toBe(true)
          return
        }
        if (result.status === 404) {
          expect(result.body).toBe('')
          return
        }
        const parsed = JSON.parse(result.body) as Record<string, unknown>
        expect(TOKEN_ERROR_CODES.has(parsed['error'] as string)).toBe(true)
        expect(Object.keys(parsed).every((k) => ['error', 'error_description', 'error_uri'].includes(k))).toBe(true)
        if (parsed['error_description'] !== undefined) expect(parsed['error_description']).toMatch(NQSCHAR)
        if (result.status === 401) expect(result.headers['www-authenticate']).toMatch(/^Basic realm="/)
      }),
      { numRuns: 3000 },
    )
  })
})
