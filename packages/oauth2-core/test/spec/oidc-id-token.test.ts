import { base64url, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import {
  OIDCClientCredentialsBuilder,
  InMemoryKeyStore,
  OAuth2AuthorizationCodeBuilder,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
  type ClientMetadata,
  type IdTokenClaims,
  type IdTokenOptions,
  type OAuth2Provider,
} from '@x/oauth2-core'
import { basicAuth, ISSUER, json, postToken, testClock } from '../fixtures/request.js'

const START = Date.UTC(2026, 0, 1, 12)
const CLIENT_ID = 'rp-1'
const AUTH = { authorization: basicAuth(CLIENT_ID, 'rp-secret') }
/** The access token and at_hash of the OpenID Connect Core 1.0 Appendix A examples (RS256). */
const SPEC_ACCESS_TOKEN = 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y'
const SPEC_AT_HASH = '77QmUPtjPfzWtF2AnpK9RQ'

type Clock = ReturnType<typeof testClock>

interface Setup {
  clock?: Clock
  claims?: IdTokenClaims
  /** Options of createIdToken; `accessToken: true` passes the access token of the response. */
  options?: Omit<IdTokenOptions, 'accessToken'> & { accessToken?: string | true }
  /** Registered metadata of the client (enables findClient). */
  client?: Partial<ClientMetadata>
  configure?: (b: OIDCAuthorizationCodeBuilder) => OIDCAuthorizationCodeBuilder
  onError?: (error: unknown) => void
}

/** An OIDC authorization code provider whose handler returns a JWT access token and an ID token. */
function oidcProvider(setup: Setup = {}): OAuth2Provider {
  const clock = setup.clock ?? testClock(START)
  let builder = OIDCAuthorizationCodeBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .tokenRoute((route) =>
      route.generateToken(async ({ createJwtAccessToken, createIdToken, ttl }) => {
        const { token: accessToken } = await createJwtAccessToken!({ sub: 'user-1' })
        const given = setup.options?.accessToken
        const options: IdTokenOptions = given === true ? { accessToken } : given !== undefined ? { accessToken: given } : {}
        const { token: idToken } = await createIdToken!(setup.claims ?? { sub: 'user-1' }, options)
        return new OAuth2TokenResponse({ access_token: given === undefined || given === true ? accessToken : given })
          .setExpiresIn(ttl)
          .setIdToken(idToken)
      }),
    )
  if (setup.client !== undefined) {
    const client: ClientMetadata = { client_id: CLIENT_ID, client_secret: 'rp-secret', ...setup.client }
    builder = builder.findClient((id) => (id === CLIENT_ID ? client : undefined))
  }
  if (setup.onError !== undefined) builder = builder.onError(setup.onError)
  return (setup.configure?.(builder) ?? builder).build()
}

async function tokens(provider: OAuth2Provider) {
  const response = await postToken(provider, { grant_type: 'authorization_code', code: 'code-1' }, AUTH)
  expect(response.status).toBe(200)
  return { idToken: response.json['id_token'] as string, accessToken: response.json['access_token'] as string }
}

async function fetchJwks(provider: OAuth2Provider): Promise<JSONWebKeySet> {
  const result = await provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/keys`, headers: {} })
  expect(result.status).toBe(200)
  return json(result) as unknown as JSONWebKeySet
}

/** What a relying party does (OIDC Core §3.1.3.7): verify with the JWKS, iss, aud = its client_id. */
async function verifyAsRelyingParty(provider: OAuth2Provider, idToken: string, clock: Clock, algorithms: string[]) {
  return jwtVerify(idToken, createLocalJWKSet(await fetchJwks(provider)), {
    issuer: ISSUER,
    audience: CLIENT_ID,
    algorithms,
    currentDate: new Date(clock.now()),
  })
}

/** OIDC Core §3.1.3.6: base64url of the left half of the hash of the token's ASCII octets. */
async function leftHalfHash(token: string, hash: 'SHA-256' | 'SHA-512'): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(token)))
  return base64url.encode(digest.slice(0, digest.length / 2))
}

describe('OpenID Connect Core §2 ID token claims', () => {
  it('sets iss to the issuer, sub as given, aud to the client_id', async () => {
    const payload = decodeJwt((await tokens(oidcProvider({ claims: { sub: 'user-9' } }))).idToken)
    expect(payload).toMatchObject({ iss: ISSUER, sub: 'user-9', aud: CLIENT_ID })
  })

  it('sets iat to the current time and exp to iat plus the token lifetime by default', async () => {
    const clock = testClock(START + 456)
    const payload = decodeJwt((await tokens(oidcProvider({ clock, configure: (b) => b.setTokenTtl(900) }))).idToken)
    expect(payload.iat).toBe(Math.floor((START + 456) / 1000))
    expect(payload.exp).toBe(payload.iat! + 900)
  })

  it('sets exp to iat plus the lifetime from setIdTokenTtl', async () => {
    const payload = decodeJwt((await tokens(oidcProvider({ configure: (b) => b.setTokenTtl(900).setIdTokenTtl(300) }))).idToken)
    expect(payload.exp).toBe(payload.iat! + 300)
  })

  it('includes nonce when given and leaves it out otherwise (§3.1.3.7 step 11)', async () => {
    const withNonce = decodeJwt((await tokens(oidcProvider({ claims: { sub: 'user-1', nonce: 'n-0S6_WzA2Mj' } }))).idToken)
    expect(withNonce['nonce']).toBe('n-0S6_WzA2Mj')
    const without = decodeJwt((await tokens(oidcProvider({ claims: { sub: 'user-1', nonce: undefined } as unknown as IdTokenClaims }))).idToken)
    expect(without).not.toHaveProperty('nonce')
  })

  it('passes auth_time, acr, amr and azp through', async () => {
    const claims = { sub: 'user-1', auth_time: 1_767_268_800, acr: 'urn:example:loa:2', amr: ['pwd', 'otp'], azp: CLIENT_ID }
    expect(decodeJwt((await tokens(oidcProvider({ claims }))).idToken)).toMatchObject(claims)
  })

  it('keeps the default of a claim given as undefined (aud and iss are REQUIRED)', async () => {
    // What JavaScript, or TypeScript without exactOptionalPropertyTypes, passes for `{ aud: maybeAud }`.
    const claims = { sub: 'user-1', aud: undefined, iss: undefined } as unknown as IdTokenClaims
    const payload = decodeJwt((await tokens(oidcProvider({ claims }))).idToken)
    expect(payload).toMatchObject({ iss: ISSUER, aud: CLIENT_ID })
  })

  it('answers 500 server_error without the exception text when sub is missing, and reports the error to onError', async () => {
    const onError = vi.fn()
    const provider = oidcProvider({ claims: {} as IdTokenClaims, onError })
    const response = await postToken(provider, { grant_type: 'authorization_code', code: 'code-1' }, AUTH)
    expect(response.status).toBe(500)
    expect(response.json['error']).toBe('server_error')
    expect(response.body).not.toMatch(/sub|createIdToken|TypeError/)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(onError).toHaveBeenCalledTimes(1)
    const [error] = onError.mock.calls[0]!
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/"sub"/)
  })
})

describe('OpenID Connect Core §3.1.3.6 at_hash', () => {
  it('is the left half of the SHA-256 hash of the access token, base64url (the spec example)', async () => {
    const payload = decodeJwt((await tokens(oidcProvider({ options: { accessToken: SPEC_ACCESS_TOKEN } }))).idToken)
    expect(payload['at_hash']).toBe(SPEC_AT_HASH)
  })

  it('is computed from the access token of the response', async () => {
    const { idToken, accessToken } = await tokens(oidcProvider({ options: { accessToken: true } }))
    expect(decodeJwt(idToken)['at_hash']).toBe(await leftHalfHash(accessToken, 'SHA-256'))
  })

  it('is left out when no access token is given', async () => {
    expect(decodeJwt((await tokens(oidcProvider())).idToken)).not.toHaveProperty('at_hash')
  })
})

describe('OpenID Connect Core §3.1.3.7 ID token validation by the client', () => {
  it('signs with RS256 by default, verifiable with the JWKS', async () => {
    const clock = testClock(START)
    const provider = oidcProvider({ clock })
    const { idToken } = await tokens(provider)
    expect(decodeProtectedHeader(idToken).alg).toBe('RS256')
    const { payload } = await verifyAsRelyingParty(provider, idToken, clock, ['RS256'])
    expect(payload.sub).toBe('user-1')
  })

  it('signs with RS256 for a registered client without id_token_signed_response_alg, whatever the access-token algorithm', async () => {
    const clock = testClock(START)
    const provider = oidcProvider({ clock, client: {}, configure: (b) => b.setSigningAlgorithm('ES256') })
    const { idToken, accessToken } = await tokens(provider)
    expect(decodeProtectedHeader(accessToken).alg).toBe('ES256')
    expect(decodeProtectedHeader(idToken).alg).toBe('RS256')
    await expect(verifyAsRelyingParty(provider, idToken, clock, ['RS256'])).resolves.toBeDefined()
  })

  it.each([
    ['ES256', 'SHA-256'],
    ['EdDSA', 'SHA-512'],
  ] as const)('signs with the client id_token_signed_response_alg %s, with at_hash over %s', async (alg, hash) => {
    const clock = testClock(START)
    const provider = oidcProvider({ clock, client: { id_token_signed_response_alg: alg }, options: { accessToken: true } })
    const { idToken, accessToken } = await tokens(provider)
    expect(decodeProtectedHeader(idToken).alg).toBe(alg)
    // The access token keeps the provider's algorithm.
    expect(decodeProtectedHeader(accessToken).alg).toBe('RS256')
    const { payload } = await verifyAsRelyingParty(provider, idToken, clock, [alg])
    // EdDSA with Ed25519: SHA-512, left 32 bytes (RFC 8032 §5.1; OpenID Connect issue #1125).
    expect(payload['at_hash']).toBe(await leftHalfHash(accessToken, hash))
    expect((payload['at_hash'] as string).length).toBe(hash === 'SHA-512' ? 43 : 22)
  })

  it('verifies, through verifyJwt, an ID token signed with a client registered algorithm', async () => {
    let result: unknown
    const provider = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => (id === CLIENT_ID ? { client_id: CLIENT_ID, client_secret: 'rp-secret', id_token_signed_response_alg: 'EdDSA' } : undefined))
      .tokenRoute((route) =>
        route.generateToken(async ({ createIdToken, verifyJwt }) => {
          const { token } = await createIdToken!({ sub: 'user-1' })
          result = await verifyJwt(token, { typ: 'JWT', audience: CLIENT_ID })
          return new OAuth2TokenResponse({ access_token: 'at' }).setIdToken(token)
        }),
      )
      .build()
    await tokens(provider)
    expect(result).toMatchObject({ sub: 'user-1', aud: CLIENT_ID })
  })

  it('verifies, through verifyJwt of another instance sharing the key store, an ID token signed with a client registered algorithm', async () => {
    const keyStore = new InMemoryKeyStore()
    const clock = testClock(START)
    const signer = oidcProvider({ clock, client: { id_token_signed_response_alg: 'ES256' }, configure: (b) => b.setJwksKeyStore(keyStore) })
    const { idToken } = await tokens(signer)
    let result: unknown
    const verifier = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .setJwksKeyStore(keyStore)
      .tokenRoute((route) =>
        route.generateToken(async ({ code, verifyJwt }) => {
          result = await verifyJwt(code, { typ: 'JWT' })
          return new OAuth2TokenResponse({ access_token: 'at' })
        }),
      )
      .build()
    expect((await postToken(verifier, { grant_type: 'authorization_code', code: idToken }, AUTH)).status).toBe(200)
    expect(result).toMatchObject({ sub: 'user-1', aud: CLIENT_ID })
  })

  it('answers 500 server_error when the client registered an algorithm the provider cannot sign with', async () => {
    const onError = vi.fn()
    const provider = oidcProvider({ client: { id_token_signed_response_alg: 'HS256' }, onError })
    const response = await postToken(provider, { grant_type: 'authorization_code', code: 'code-1' }, AUTH)
    expect(response.status).toBe(500)
    expect(response.json['error']).toBe('server_error')
    expect(response.body).not.toContain('HS256')
    expect(onError).toHaveBeenCalledTimes(1)
  })
})

describe('createIdToken availability', () => {
  async function helperPresence(builder: OAuth2AuthorizationCodeBuilder): Promise<{ idToken: boolean; accessToken: boolean }> {
    let presence: { idToken: boolean; accessToken: boolean } | undefined
    const provider = builder
      .setIssuer(ISSUER)
      .tokenRoute((route) =>
        route.generateToken(({ createIdToken, createJwtAccessToken }) => {
          presence = { idToken: createIdToken !== undefined, accessToken: createJwtAccessToken !== undefined }
          return new OAuth2TokenResponse({ access_token: 'opaque' })
        }),
      )
      .build()
    expect((await postToken(provider, { grant_type: 'authorization_code', code: 'code-1' }, AUTH)).status).toBe(200)
    return presence!
  }

  it('is present on OIDC builders', async () => {
    expect(await helperPresence(OIDCAuthorizationCodeBuilder.create())).toEqual({ idToken: true, accessToken: true })
  })

  it('is present on an OAuth 2.0 builder whose scopes include openid', async () => {
    const presence = await helperPresence(OAuth2AuthorizationCodeBuilder.create().setScopes({ openid: 'Sign in', profile: 'Your profile' }))
    expect(presence.idToken).toBe(true)
  })

  it('is absent on an OAuth 2.0 builder without openid, even with JWT access tokens', async () => {
    expect(await helperPresence(OAuth2AuthorizationCodeBuilder.create().setScopes({ profile: 'Your profile' }))).toEqual({ idToken: false, accessToken: false })
    expect(await helperPresence(OAuth2AuthorizationCodeBuilder.create().useAccessTokenJwks(true))).toEqual({ idToken: false, accessToken: true })
  })
})

describe('OpenID Connect Dynamic Registration §2 id_token_signed_response_alg, resolved only when an ID token is signed', () => {
  it('serves a grant without an ID token to a client registered for an algorithm the provider does not sign with', async () => {
    const provider = OIDCClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => (id === 'svc' ? { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], id_token_signed_response_alg: 'PS512' } : undefined))
      .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'at' })))
      .build()
    const { status } = await postToken(provider, { grant_type: 'client_credentials' }, { authorization: basicAuth('svc', 'svc-secret') })
    expect(status).toBe(200)
  })
})
