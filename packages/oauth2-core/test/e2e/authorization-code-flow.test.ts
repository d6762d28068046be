import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import * as client from 'openid-client'
import { describe, expect, it } from 'vitest'
import { OIDCAuthorizationCodeBuilder, type ClientMetadata, type OAuth2Provider } from '@x/oauth2-core'
import { authorize, cookieOf, hiddenFields, pkcePair, redirectParams, REDIRECT_URI, submit } from '../fixtures/authorization.js'
import { basicAuth, ISSUER, json, postToken, testClock } from '../fixtures/request.js'

const CLIENT: ClientMetadata = {
  client_id: 'web-app',
  client_secret: 'web-app-secret',
  client_name: 'Web <App>',
  redirect_uris: [REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
}
const AUTH = { authorization: basicAuth(CLIENT.client_id, CLIENT.client_secret!) }

const USERS: Record<string, { password: string; claims: Record<string, unknown> }> = {
  alice: {
    password: 'wonderland',
    claims: { name: 'Alice Liddell', email: 'alice@example.org', email_verified: true, phone_number: '+44 20 7946 0000', secret_note: 'never released' },
  },
}

function buildProvider(clock = testClock()) {
  return OIDCAuthorizationCodeBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .findClient((id) => (id === CLIENT.client_id ? CLIENT : undefined))
    .setScopes({ profile: 'Your name', email: 'Your email address', offline_access: 'Stay signed in' })
    .authorizationRoute((route) =>
      route.authenticateUser(({ username, password }) =>
        USERS[username]?.password === password ? { sub: `user-${username}`, amr: ['pwd'], acr: 'urn:example:loa:1' } : null,
      ),
    )
    .userInfo((sub) => USERS[sub.replace(/^user-/, '')]?.claims ?? null)
    .build()
}

describe('authorization code flow, end to end (RFC 6749 §4.1, RFC 7636, OpenID Connect Core §3.1)', () => {
  it('walks authorize -> sign-in -> consent -> code -> token -> refresh -> userinfo, and the ID token verifies against the JWKS', async () => {
    const clock = testClock()
    const provider = buildProvider(clock)
    const { verifier, challenge } = await pkcePair()
    const request = {
      response_type: 'code',
      client_id: CLIENT.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      state: 'xyz-state',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }

    // 1. The sign-in page, with the client's name escaped and a CSRF cookie.
    const page = await authorize(provider, request)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.body).toContain('Web &lt;App&gt;')
    const cookie = cookieOf(page)

    // 2. Sign in: the consent page.
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    expect(consent.status).toBe(200)
    expect(consent.body).toContain('Your email address')

    // 3. Allow: a 303 to the client with code, state and iss (RFC 9207).
    const redirect = await submit(provider, { ...hiddenFields(consent.body), oauth2_decision: 'allow' }, cookie)
    expect(redirect.status).toBe(303)
    const { base, params } = redirectParams(redirect)
    expect(base).toBe(REDIRECT_URI)
    expect(params['state']).toBe('xyz-state')
    expect(params['iss']).toBe(ISSUER)
    const code = params['code']!
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)

    // 4. Redeem the code with the PKCE verifier.
    const tokens = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, AUTH)
    expect(tokens.status, JSON.stringify(tokens.json)).toBe(200)
    expect(tokens.json['token_type']).toBe('Bearer')
    expect(tokens.json['scope']).toBe('openid profile email offline_access')
    expect(typeof tokens.json['refresh_token']).toBe('string')

    // 5. The ID token, as a relying party checks it (OIDC Core §3.1.3.7), with the JWKS.
    const jwksResult = await provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/keys`, headers: {} })
    const jwks = createLocalJWKSet(json(jwksResult) as unknown as JSONWebKeySet)
    const { payload, protectedHeader } = await jwtVerify(tokens.json['id_token'] as string, jwks, {
      issuer: ISSUER,
      audience: CLIENT.client_id,
      algorithms: ['RS256'],
      currentDate: new Date(clock.now()),
    })
    expect(protectedHeader.alg).toBe('RS256')
    expect(payload.sub).toBe('user-alice')
    expect(payload['nonce']).toBe('n-0S6_WzA2Mj')
    expect(payload['auth_time']).toBe(Math.floor(clock.now() / 1000))
    expect(payload['amr']).toEqual(['pwd'])
    expect(payload['acr']).toBe('urn:example:loa:1')
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(tokens.json['access_token'] as string)))
    const { base64url } = await import('jose')
    expect(payload['at_hash']).toBe(base64url.encode(digest.slice(0, 16)))

    // 6. The code is single use.
    const replay = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, AUTH)
    expect(replay.status).toBe(400)
    expect(replay.json['error']).toBe('invalid_grant')

    // ... and its replay revoked what it yielded; start again for the rest of the walk.
    const again = await authorize(provider, request)
    const againCookie = cookieOf(again)
    const againConsent = await submit(provider, { ...hiddenFields(again.body), username: 'alice', password: 'wonderland' }, againCookie)
    const againRedirect = await submit(provider, { ...hiddenFields(againConsent.body), oauth2_decision: 'allow' }, againCookie)
    const code2 = redirectParams(againRedirect).params['code']!
    const tokens2 = await postToken(provider, { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT_URI, code_verifier: verifier }, AUTH)
    expect(tokens2.status).toBe(200)

    // 7. Refresh.
    clock.advance(60_000)
    const refreshed = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens2.json['refresh_token'] as string }, AUTH)
    expect(refreshed.status, JSON.stringify(refreshed.json)).toBe(200)
    expect(refreshed.json['access_token']).not.toBe(tokens2.json['access_token'])

    // 8. UserInfo with the refreshed access token: sub, and only the claims the scopes release.
    const userinfo = await provider.handle({
      method: 'GET',
      url: `${ISSUER}/oauth2/userinfo`,
      headers: { authorization: `Bearer ${refreshed.json['access_token'] as string}` },
    })
    expect(userinfo.status).toBe(200)
    expect(json(userinfo)).toEqual({ sub: 'user-alice', name: 'Alice Liddell', email: 'alice@example.org', email_verified: true })
  })
})

/** openid-client's fetch, answered by the provider in process (the same request and result an adapter sees). */
function fetchThrough(provider: OAuth2Provider) {
  return async (url: string, options: client.CustomFetchOptions): Promise<Response> => {
    const body = options.body
    const result = await provider.handle({
      method: options.method,
      url,
      headers: options.headers as Record<string, string>,
      body: typeof body === 'string' || body instanceof URLSearchParams ? body : undefined,
    })
    return new Response(result.body === '' ? null : result.body, { status: result.status, headers: result.headers })
  }
}

describe('a strict relying party (openid-client, OpenID Connect Core §3.1 and RFC 9207) works against the provider unchanged', () => {
  it('discovers, authorizes with PKCE, checks iss, state and nonce, validates the ID token, refreshes and reads UserInfo', async () => {
    // openid-client checks iat / exp against the real clock.
    const provider = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => (id === CLIENT.client_id ? CLIENT : undefined))
      .setScopes({ profile: 'Your name', email: 'Your email address', offline_access: 'Stay signed in' })
      .authorizationRoute((route) => route.authenticateUser(({ username, password }) => (USERS[username]?.password === password ? { sub: `user-${username}` } : null)))
      .userInfo((sub) => USERS[sub.replace(/^user-/, '')]?.claims ?? null)
      .build()
    const config = await client.discovery(new URL(ISSUER), CLIENT.client_id, undefined, client.ClientSecretBasic(CLIENT.client_secret!), {
      [client.customFetch]: fetchThrough(provider),
    })
    config[client.customFetch] = fetchThrough(provider)
    expect(config.serverMetadata().issuer).toBe(ISSUER)

    const codeVerifier = client.randomPKCECodeVerifier()
    const nonce = client.randomNonce()
    const state = client.randomState()
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    })

    // The browser's part.
    const page = await provider.handle({ method: 'GET', url: authorizationUrl.href, headers: {} })
    const cookie = cookieOf(page)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    const redirect = await submit(provider, { ...hiddenFields(consent.body), oauth2_decision: 'allow' }, cookie)

    const tokens = await client.authorizationCodeGrant(config, new URL(redirect.headers['location']!), {
      pkceCodeVerifier: codeVerifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    })
    const claims = tokens.claims()!
    expect(claims.sub).toBe('user-alice')
    expect(claims.nonce).toBe(nonce)
    expect(tokens.refresh_token).toBeDefined()

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    expect(userinfo).toEqual({ sub: 'user-alice', name: 'Alice Liddell', email: 'alice@example.org', email_verified: true })

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!)
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect(refreshed.claims()?.sub).toBe('user-alice')
  })
})
