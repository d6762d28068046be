import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import {
  MemoryStore,
  OAuth2AuthorizationCodeBuilder,
  OAuth2Error,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
  type AuthorizationCodeData,
  type ClientMetadata,
  type LoginPageContext,
  type OAuth2ACAuthorizationParams,
  type OAuth2ACAuthorizationRoute,
  type OAuth2ACTokenParams,
  type OAuth2Provider,
  type OAuth2Result,
  type StoreKind,
  type StoredEntry,
} from '@x/oauth2-core'
import {
  AUTHORIZE_URL,
  authorize,
  codeFlowProvider,
  codeRequest,
  cookieOf,
  hiddenFields,
  pkcePair,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  redirectParams,
  signInAndConsent,
  submit,
  WEB_AUTH,
  WEB_CLIENT,
} from '../fixtures/authorization.js'
import { basicAuth, FORM, ISSUER, postToken, testClock } from '../fixtures/request.js'

/** Asserts an error page: HTML, the status, never a redirect. */
function expectErrorPage(result: OAuth2Result, status = 400) {
  expect(result.status).toBe(status)
  expect(result.headers['location']).toBeUndefined()
  expect(result.headers['content-type']).toBe('text/html; charset=utf-8')
  expect(result.headers['x-frame-options']).toBe('DENY')
}

/** Asserts an error redirect to the client and returns its parameters. */
function expectErrorRedirect(result: OAuth2Result, error: string) {
  expect([302, 303]).toContain(result.status)
  const { base, params } = redirectParams(result)
  expect(params['error'], params['error_description']).toBe(error)
  expect(params['iss']).toBe(ISSUER)
  return { base, params }
}

/** The code of a redirect to the client. */
function codeOf(result: OAuth2Result): string {
  const { params } = redirectParams(result)
  expect(params['code'], JSON.stringify(params)).toBeDefined()
  return params['code']!
}

/** Runs the whole browser part and redeems the code. */
async function codeAndTokens(provider: OAuth2Provider, extra: Record<string, string> = {}) {
  const { params, verifier } = await codeRequest(WEB_CLIENT, extra)
  const code = codeOf(await signInAndConsent(provider, params))
  const tokens = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: params['redirect_uri']!, code_verifier: verifier }, WEB_AUTH)
  return { code, verifier, tokens, params }
}

describe('RFC 6749 §4.1.2.1 errors that must not be redirected', () => {
  it('shows an error page, without redirecting, when client_id is missing', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    delete params['client_id']
    const result = await authorize(provider, params)
    expectErrorPage(result)
    expect(result.body).toContain('invalid_request')
  })

  it('shows an error page, without redirecting, for an unknown client', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { client_id: 'nobody' })
    const result = await authorize(provider, params)
    expectErrorPage(result)
    expect(result.body).toContain('invalid_client')
  })

  it('shows an error page, without redirecting, for a redirect_uri the client did not register (no open redirector)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { redirect_uri: 'https://attacker.example/cb' })
    expectErrorPage(await authorize(provider, params))
  })

  it('matches redirect URIs by exact string comparison (RFC 9700 §4.1.3)', async () => {
    const { provider } = codeFlowProvider()
    for (const near of [`${REDIRECT_URI}/`, 'https://CLIENT.example.org/cb', `${REDIRECT_URI}?x=1`, 'https://client.example.org:443/cb', 'https://client.example.org/cb2']) {
      const { params } = await codeRequest(WEB_CLIENT, { redirect_uri: near })
      expectErrorPage(await authorize(provider, params))
    }
  })

  it('refuses a redirect_uri with a fragment with an error page (RFC 6749 §3.1.2)', async () => {
    const { provider } = codeFlowProvider({ clients: [{ ...WEB_CLIENT, redirect_uris: [`${REDIRECT_URI}#x`] }] })
    const { params } = await codeRequest(WEB_CLIENT, { redirect_uri: `${REDIRECT_URI}#x` })
    expectErrorPage(await authorize(provider, params))
  })

  it('requires redirect_uri when the client registered several (RFC 6749 §3.1.2.3)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { scope: 'profile' })
    delete params['redirect_uri']
    expectErrorPage(await authorize(provider, params))
  })

  it('uses the only registered redirect URI when redirect_uri is omitted, for a plain OAuth 2.0 request', async () => {
    const single = { ...WEB_CLIENT, redirect_uris: [REDIRECT_URI] }
    const { provider } = codeFlowProvider({ clients: [single], route: (r) => r.consent(() => true) })
    const { params, verifier } = await codeRequest(single, { scope: 'profile' })
    delete params['redirect_uri']
    const result = await signInAndConsent(provider, params)
    expect(redirectParams(result).base).toBe(REDIRECT_URI)
    // RFC 6749 §4.1.3: redirect_uri was not in the request, so the token request may omit it.
    const tokens = await postToken(provider, { grant_type: 'authorization_code', code: codeOf(result), code_verifier: verifier }, WEB_AUTH)
    expect(tokens.status).toBe(200)
  })

  it('OIDC Core §3.1.2.1, RFC 6749 §4.1.2.1: shows an error page, without redirecting, for an OpenID request without the required redirect_uri, even with one URI registered', async () => {
    const single = { ...WEB_CLIENT, redirect_uris: [REDIRECT_URI] }
    const { provider } = codeFlowProvider({ clients: [single] })
    for (const scope of ['openid', 'profile openid']) {
      const { params } = await codeRequest(single, { scope })
      delete params['redirect_uri']
      const result = await authorize(provider, params)
      expectErrorPage(result)
      expect(result.body).toContain('Missing required parameter: redirect_uri.')
    }
  })

  it('shows an error page for a parameter sent twice (RFC 6749 §3.1)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const query = `${new URLSearchParams(params).toString()}&client_id=web-app`
    expectErrorPage(await provider.handle({ method: 'GET', url: `${AUTHORIZE_URL}?${query}`, headers: {} }))
  })

  it('shows an error page for a POST that is not form-encoded', async () => {
    const { provider } = codeFlowProvider()
    const result = await provider.handle({ method: 'POST', url: AUTHORIZE_URL, headers: { 'content-type': 'application/json' }, body: '{}' })
    expectErrorPage(result)
  })

  it('renders the error page with the user renderer when one is given', async () => {
    const renderer = vi.fn((ctx: { error: string; errorMessage?: string }) => `<p>${ctx.error}</p>`)
    const { provider } = codeFlowProvider({ route: (r) => r.setErrorPageRenderer(renderer) })
    const result = await authorize(provider, { client_id: 'nobody', response_type: 'code' })
    expectErrorPage(result)
    expect(result.body).toBe('<p>invalid_client</p>')
    expect(result.headers['content-security-policy']).toContain("frame-ancestors 'none'")
  })
})

describe('RFC 6749 §4.1.2.1 error response', () => {
  it('redirects a missing response_type as invalid_request, with state and iss (RFC 9207)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    delete params['response_type']
    const { base, params: response } = expectErrorRedirect(await authorize(provider, params), 'invalid_request')
    expect(base).toBe(REDIRECT_URI)
    expect(response['state']).toBe('state-123')
    expect(response['error_description']).toContain('response_type')
  })

  it('redirects an unsupported response_type as unsupported_response_type', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { response_type: 'token' })
    expectErrorRedirect(await authorize(provider, params), 'unsupported_response_type')
  })

  it('redirects an undeclared scope as invalid_scope', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { scope: 'openid admin' })
    expectErrorRedirect(await authorize(provider, params), 'invalid_scope')
  })

  it('redirects a scope the client may not request as invalid_scope', async () => {
    const client = { ...WEB_CLIENT, scope: 'openid' }
    const { provider } = codeFlowProvider({ clients: [client] })
    const { params } = await codeRequest(client, { scope: 'openid email' })
    expectErrorRedirect(await authorize(provider, params), 'invalid_scope')
  })

  it('redirects a client not registered for response_type=code as unauthorized_client', async () => {
    const client = { ...WEB_CLIENT, response_types: ['token'] }
    const { provider } = codeFlowProvider({ clients: [client] })
    const { params } = await codeRequest(client)
    expectErrorRedirect(await authorize(provider, params), 'unauthorized_client')
  })

  it('redirects a client not registered for the authorization_code grant as unauthorized_client', async () => {
    const client = { ...WEB_CLIENT, grant_types: ['client_credentials'] }
    const { provider } = codeFlowProvider({ clients: [client] })
    const { params } = await codeRequest(client)
    expectErrorRedirect(await authorize(provider, params), 'unauthorized_client')
  })

  it('RFC 6749 §4.1.3: redirects unauthorized_client, before anyone signs in, a client whose registered authentication method the flow\'s token endpoint refuses (it could never redeem the code)', async () => {
    const authenticate = vi.fn(() => ({ sub: 'user-alice' }))
    const provider = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => [WEB_CLIENT, PUBLIC_CLIENT].find((c) => c.client_id === id))
      .setScopes({ profile: 'Your profile' })
      .authorizationRoute((route) => route.authenticateUser(authenticate))
      .build()
    // A public client, and no addClientAuthenticationMethod('none') nor withPkce(): only client_secret_basic.
    const { params } = await codeRequest(PUBLIC_CLIENT, { redirect_uri: REDIRECT_URI })
    const { params: response } = expectErrorRedirect(await authorize(provider, params), 'unauthorized_client')
    expect(response['error_description']).toBe("The client's token endpoint authentication method is not accepted for this flow.")
    expect(authenticate).not.toHaveBeenCalled()
    // The confidential client (client_secret_basic) is served as before.
    const served = await authorize(provider, (await codeRequest()).params)
    expect(served.status, served.headers['location']).toBe(200)
  })

  it('does not echo a state that breaks the RFC 6749 Appendix A.5 syntax', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { state: 'bad\u0001state' })
    const { params: response } = expectErrorRedirect(await authorize(provider, params), 'invalid_request')
    expect(response['state']).toBeUndefined()
  })

  it('keeps the query string of the redirect URI when adding the error (RFC 6749 §3.1.2)', async () => {
    const { provider } = codeFlowProvider()
    const uri = 'https://client.example.org/cb2?tenant=a&x=1'
    const { params } = await codeRequest(WEB_CLIENT, { redirect_uri: uri, response_type: 'token' })
    const result = await authorize(provider, params)
    expect(result.headers['location']!.startsWith(`${uri}&error=unsupported_response_type`)).toBe(true)
  })

  it('answers request and request_uri with request_not_supported / request_uri_not_supported (OIDC Core §6)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { request: 'eyJhbGciOiJub25lIn0.e30.' })
    expectErrorRedirect(await authorize(provider, params), 'request_not_supported')
    const { params: p2 } = await codeRequest(WEB_CLIENT, { request_uri: 'https://client.example.org/request.jwt' })
    expectErrorRedirect(await authorize(provider, p2), 'request_uri_not_supported')
  })

  it('refuses an unsupported response_mode with invalid_request in the query', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { response_mode: 'fragment' })
    expectErrorRedirect(await authorize(provider, params), 'invalid_request')
  })

  it('sends errors of a form_post request as an auto-submitting form (Form Post Response Mode §2)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { response_mode: 'form_post', scope: 'openid admin' })
    const result = await authorize(provider, params)
    expect(result.status).toBe(200)
    expect(result.headers['location']).toBeUndefined()
    expect(result.body).toContain(`<form method="post" action="${REDIRECT_URI}">`)
    expect(hiddenFields(result.body)).toMatchObject({ error: 'invalid_scope', state: 'state-123', iss: ISSUER })
    expect(result.headers['content-security-policy']).toContain("form-action 'self' https://client.example.org")
    expect(result.headers['cache-control']).toBe('no-store')
  })

  it('OIDC Core §3.1.3.7: redirects an OpenID request of a client registered for an id_token_signed_response_alg the provider does not sign with as unauthorized_client, before any code', async () => {
    const ps256: ClientMetadata = { ...WEB_CLIENT, id_token_signed_response_alg: 'PS256' }
    const kinds: StoreKind[] = []
    class RecordingStore extends MemoryStore {
      override set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number) {
        kinds.push(kind)
        return super.set(kind, id, entry, expiresAt)
      }
    }
    const store = new RecordingStore()
    const { provider } = codeFlowProvider({ clients: [ps256], route: (r) => r.consent(() => true), builder: (b) => b.setStore(store) })
    const { params } = await codeRequest(ps256, { scope: 'openid profile' })
    const { params: response } = expectErrorRedirect(await authorize(provider, params), 'unauthorized_client')
    expect(response['error_description']).toContain('id_token_signed_response_alg')
    expect(response['state']).toBe('state-123')
    // Not even after a sign-in (the form's POST is validated again).
    expectErrorRedirect(await submit(provider, { ...params, oauth2_step: 'login', username: 'alice', password: 'wonderland' }, undefined), 'unauthorized_client')
    expect(kinds).not.toContain('authorization_code')
    // Without openid no ID token is signed: the request goes on.
    const { params: plain } = await codeRequest(ps256, { scope: 'profile' })
    expect(hiddenFields((await authorize(provider, plain)).body)['oauth2_step']).toBe('login')
  })

  it('redirects a malformed max_age or an unknown prompt value as invalid_request', async () => {
    const { provider } = codeFlowProvider()
    for (const extra of [{ max_age: '-1' }, { max_age: 'soon' }, { prompt: 'later' }]) {
      const { params } = await codeRequest(WEB_CLIENT, extra)
      expectErrorRedirect(await authorize(provider, params), 'invalid_request')
    }
  })
})

describe('RFC 6749 §4.1.2.1 server_error: a failure after the request is validated goes back to the client', () => {
  const failure = () => new Error('session database down at /srv/app/db.ts:12')

  it('RFC 6749 §4.1.2.1: redirects server_error, with state and iss, when findSession throws, and reports the error to onError only', async () => {
    const onError = vi.fn()
    const { provider } = codeFlowProvider({
      route: (r) =>
        r.findSession(() => {
          throw failure()
        }),
      builder: (b) => b.onError(onError),
    })
    const { params } = await codeRequest()
    const result = await authorize(provider, params)
    expect(result.status).toBe(302)
    const { base, params: response } = expectErrorRedirect(result, 'server_error')
    expect(base).toBe(REDIRECT_URI)
    expect(response['state']).toBe('state-123')
    expect(result.headers['location']).not.toContain('database')
    expect(result.headers['cache-control']).toBe('no-store')
    expect(onError).toHaveBeenCalledTimes(1)
    expect(String(onError.mock.calls[0]![0])).toContain('session database down')
  })

  it('RFC 6749 §4.1.2.1: redirects server_error with 303 when the consent callback throws after the sign-in POST, and as a form in form_post mode', async () => {
    const onError = vi.fn()
    const { provider } = codeFlowProvider({
      route: (r) =>
        r.consent(() => {
          throw failure()
        }),
      builder: (b) => b.onError(onError),
    })
    const { params } = await codeRequest()
    const result = await signInAndConsent(provider, params)
    expect(result.status).toBe(303)
    expect(expectErrorRedirect(result, 'server_error').params['state']).toBe('state-123')
    const { params: formPost } = await codeRequest(WEB_CLIENT, { response_mode: 'form_post' })
    const login = await authorize(provider, formPost)
    const page = await submit(provider, { ...hiddenFields(login.body), username: 'alice', password: 'wonderland' }, cookieOf(login))
    expect(page.status).toBe(200)
    expect(hiddenFields(page.body)).toMatchObject({ error: 'server_error', state: 'state-123', iss: ISSUER })
    expect(page.body).not.toContain('database')
    expect(onError).toHaveBeenCalledTimes(2)
  })

  it('RFC 6749 §4.1.2.1: redirects server_error, without calling it again, when finalizeAuthorization throws', async () => {
    const finalize = vi.fn(() => {
      throw failure()
    })
    const onError = vi.fn()
    const { provider } = codeFlowProvider({ route: (r) => r.consent(() => true).finalizeAuthorization(finalize), builder: (b) => b.onError(onError) })
    const result = await signInAndConsent(provider, (await codeRequest()).params)
    expectErrorRedirect(result, 'server_error')
    expect(finalize).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('RFC 6749 §4.1.2.1: sends the server_error of another callback through finalizeAuthorization, which sends every answer after validation', async () => {
    const finalize = vi.fn((ctx: { authorizationResult: { type: string }; fullRedirectUri: string }) => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `finalized ${ctx.authorizationResult.type}` }))
    const onError = vi.fn()
    const { provider } = codeFlowProvider({
      route: (r) =>
        r
          .findSession(() => {
            throw failure()
          })
          .finalizeAuthorization(finalize),
      builder: (b) => b.onError(onError),
    })
    const result = await authorize(provider, (await codeRequest()).params)
    expect(result.body).toBe('finalized error')
    expect(finalize).toHaveBeenCalledTimes(1)
    expect(finalize.mock.calls[0]![0].fullRedirectUri).toContain('error=server_error')
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('RFC 6749 §4.1.2.1: redirects a callback\'s temporarily_unavailable as itself, a protocol error, not reported to onError', async () => {
    const onError = vi.fn()
    const { provider } = codeFlowProvider({
      route: (r) =>
        r.findSession(() => {
          throw new OAuth2Error('temporarily_unavailable', 'Down for maintenance.', { status: 503 })
        }),
      builder: (b) => b.onError(onError),
    })
    const { params: response } = expectErrorRedirect(await authorize(provider, (await codeRequest()).params), 'temporarily_unavailable')
    expect(response['error_description']).toBe('Down for maintenance.')
    expect(response['state']).toBe('state-123')
    expect(onError).not.toHaveBeenCalled()
  })

  it('RFC 6749 §4.1.2.1: still answers a generic 500, never a redirect, when the client lookup throws (no trusted redirect URI yet)', async () => {
    const onError = vi.fn()
    const { provider } = codeFlowProvider({ builder: (b) => b.findClient(() => { throw failure() }).onError(onError) })
    const result = await authorize(provider, (await codeRequest()).params)
    expect(result.status).toBe(500)
    expect(result.headers['location']).toBeUndefined()
    expect(result.body).not.toContain('database')
    expect(onError).toHaveBeenCalledTimes(1)
  })
})

describe('RFC 6749 §4.1.2 authorization response', () => {
  it('redirects with code, state and iss after consent, with 303 after the POST', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const result = await signInAndConsent(provider, params)
    expect(result.status).toBe(303)
    expect(result.headers['cache-control']).toBe('no-store')
    const { base, params: response } = redirectParams(result)
    expect(base).toBe(REDIRECT_URI)
    expect(Object.keys(response).sort()).toEqual(['code', 'iss', 'state'])
    expect(response['state']).toBe('state-123')
    expect(response['iss']).toBe(ISSUER)
  })

  it('keeps the query string of the redirect URI when adding the code (RFC 6749 §3.1.2)', async () => {
    const { provider } = codeFlowProvider()
    const uri = 'https://client.example.org/cb2?tenant=a&x=1'
    const { params } = await codeRequest(WEB_CLIENT, { redirect_uri: uri })
    const result = await signInAndConsent(provider, params)
    expect(result.headers['location']!.startsWith(`${uri}&code=`)).toBe(true)
  })

  it('issues codes of 256 bits, different every time (RFC 6749 §10.10)', async () => {
    const { provider } = codeFlowProvider()
    const codes = new Set<string>()
    for (let i = 0; i < 3; i++) codes.add(codeOf(await signInAndConsent(provider, (await codeRequest()).params)))
    expect(codes.size).toBe(3)
    for (const code of codes) expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('sends the code of a form_post request as an auto-submitting form', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { response_mode: 'form_post' })
    const result = await signInAndConsent(provider, params)
    expect(result.status).toBe(200)
    const fields = hiddenFields(result.body)
    expect(fields['code']).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(fields).toMatchObject({ state: 'state-123', iss: ISSUER })
    expect(result.body).toMatch(/<script nonce="[A-Za-z0-9_-]+">document.forms\[0\].submit\(\)<\/script>/)
    const nonce = /<script nonce="([^"]+)"/.exec(result.body)![1]
    expect(result.headers['content-security-policy']).toContain(`script-src 'nonce-${nonce}'`)
  })

  it('ignores unrecognized parameters (RFC 6749 §3.1)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { ui_locales: 'fr', unknown_param: 'x' })
    expect(codeOf(await signInAndConsent(provider, params))).toBeDefined()
  })

  it('accepts the authorization request as a form POST (OIDC Core §3.1.2.1)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const page = await submit(provider, params, undefined)
    expect(page.status).toBe(200)
    expect(hiddenFields(page.body)).toMatchObject({ client_id: 'web-app', oauth2_step: 'login' })
  })

  it('accepts any port on a loopback IP redirect URI (RFC 8252 §7.3)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(PUBLIC_CLIENT, { redirect_uri: 'http://127.0.0.1:51004/callback' })
    const result = await signInAndConsent(provider, params)
    expect(redirectParams(result).base).toBe('http://127.0.0.1:51004/callback')
  })

  it('serves the endpoint under the issuer path', async () => {
    const { provider } = codeFlowProvider({ issuer: 'https://example.com/auth' })
    const { params } = await codeRequest()
    const result = await authorize(provider, params, {}, 'https://example.com/auth/oauth2/authorize')
    expect(result.status).toBe(200)
    expect(result.body).toContain('action="https://example.com/auth/oauth2/authorize"')
  })

  it('answers other methods with 405 and Allow: GET, POST', async () => {
    const { provider } = codeFlowProvider()
    const result = await provider.handle({ method: 'PUT', url: AUTHORIZE_URL, headers: {} })
    expect(result.status).toBe(405)
    expect(result.headers['allow']).toBe('GET, POST')
  })
})

describe('sign-in and consent pages: CSRF, escaping and security headers (RFC 6749 §10.12, RFC 9700 §4.16)', () => {
  it('sends every page with CSP frame-ancestors none, X-Frame-Options DENY, no-store and no-referrer', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const page = await authorize(provider, params)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    for (const result of [page, consent]) {
      expect(result.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      expect(result.headers['content-security-policy']).toContain("default-src 'none'")
      expect(result.headers['x-frame-options']).toBe('DENY')
      expect(result.headers['cache-control']).toBe('no-store')
      expect(result.headers['referrer-policy']).toBe('no-referrer')
      expect(result.headers['x-content-type-options']).toBe('nosniff')
    }
    // The redirect that follows the consent POST is allowed by form-action (browsers apply it to redirects).
    expect(consent.headers['content-security-policy']).toContain("form-action 'self' https://client.example.org")
  })

  it('sets the CSRF token in a __Host- cookie (Secure, HttpOnly, SameSite, Path=/) and in a hidden field', async () => {
    const { provider } = codeFlowProvider()
    const page = await authorize(provider, (await codeRequest()).params)
    const setCookie = page.headers['set-cookie']!
    expect(setCookie).toMatch(/^__Host-oauth2_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/)
    expect(hiddenFields(page.body)['oauth2_csrf']).toBe(cookieOf(page).split('=')[1])
  })

  it('uses a plain cookie name without Secure for an http://localhost issuer', async () => {
    const { provider } = codeFlowProvider({ issuer: 'http://localhost:3000' })
    const page = await authorize(provider, (await codeRequest()).params, {}, 'http://localhost:3000/oauth2/authorize')
    expect(page.headers['set-cookie']).toMatch(/^oauth2_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/)
  })

  it('keeps a well-formed CSRF cookie the browser already has (two tabs do not void each other)', async () => {
    const { provider } = codeFlowProvider()
    const first = await authorize(provider, (await codeRequest()).params)
    const second = await authorize(provider, (await codeRequest()).params, { cookie: cookieOf(first) })
    expect(cookieOf(second)).toBe(cookieOf(first))
  })

  it('refuses a sign-in POST without the CSRF cookie, without checking the credentials', async () => {
    const authenticate = vi.fn(() => ({ sub: 'user-alice' }))
    const { provider } = codeFlowProvider({ route: (r) => r.authenticateUser(authenticate) })
    const page = await authorize(provider, (await codeRequest()).params)
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, undefined)
    expect(result.status).toBe(403)
    expect(result.headers['location']).toBeUndefined()
    expect(authenticate).not.toHaveBeenCalled()
  })

  it('refuses a sign-in POST whose CSRF field does not match the cookie', async () => {
    const authenticate = vi.fn(() => ({ sub: 'user-alice' }))
    const { provider } = codeFlowProvider({ route: (r) => r.authenticateUser(authenticate) })
    const page = await authorize(provider, (await codeRequest()).params)
    const other = await authorize(provider, (await codeRequest()).params)
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(other))
    expect(result.status).toBe(403)
    expect(authenticate).not.toHaveBeenCalled()
  })

  it('RFC 6749 §10.12: never reads a CSRF token a sibling subdomain planted inside another cookie\'s value (a,__Host-oauth2_csrf=...), nor a doubled one', async () => {
    const authenticate = vi.fn(() => ({ sub: 'user-mallory' }))
    const { provider } = codeFlowProvider({ route: (r) => r.authenticateUser(authenticate) })
    const planted = 'A'.repeat(43)
    const page = await authorize(provider, (await codeRequest()).params)
    const form = { ...hiddenFields(page.body), oauth2_csrf: planted, username: 'mallory', password: 'x' }
    // Cross-site: the victim's SameSite=Lax cookie is not sent, only the planted one.
    expect((await submit(provider, form, `x=a,__Host-oauth2_csrf=${planted}`)).status).toBe(403)
    // Same-site: both are sent; the token is the victim's, never the planted one.
    expect((await submit(provider, form, `x=a,__Host-oauth2_csrf=${planted}; ${cookieOf(page)}`)).status).toBe(403)
    expect((await submit(provider, form, `__Host-oauth2_csrf=${planted}; ${cookieOf(page)}`)).status).toBe(403)
    expect(authenticate).not.toHaveBeenCalled()
    // Nor is it fixed into the cookie the page sets.
    const next = await authorize(provider, (await codeRequest()).params, { cookie: `x=a,__Host-oauth2_csrf=${planted}` })
    expect(cookieOf(next)).not.toContain(planted)
  })

  it('shows the sign-in form again with 401 and access_denied for wrong credentials', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const result = await signInAndConsent(provider, params, { username: 'alice', password: 'wrong' })
    expect(result.status).toBe(401)
    expect(result.headers['location']).toBeUndefined()
    expect(result.body).toContain('The username or password is incorrect.')
    expect(hiddenFields(result.body)['oauth2_step']).toBe('login')
  })

  it('passes the submitted fields, the client and the scopes to authenticateUser', async () => {
    const authenticate = vi.fn(() => null)
    const { provider } = codeFlowProvider({ route: (r) => r.authenticateUser(authenticate) })
    const page = await authorize(provider, (await codeRequest()).params)
    await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'p@ss', otp: '123456' }, cookieOf(page))
    expect(authenticate).toHaveBeenCalledTimes(1)
    const [credentials, request] = authenticate.mock.calls[0] as unknown as [Record<string, unknown>, unknown]
    expect(credentials).toMatchObject({ username: 'alice', password: 'p@ss', scopes: ['openid', 'profile'], client: { clientId: 'web-app', clientName: 'Web App' } })
    expect((credentials['fields'] as Record<string, string>)['otp']).toBe('123456')
    expect(request).toMatchObject({ method: 'POST' })
  })

  it('reads the credentials from the fields named by setUsernameField / setPasswordField', async () => {
    const authenticate = vi.fn(({ username, password }: { username: string; password: string }) => (username === 'bob' && password === 'pw' ? { sub: 'bob' } : null))
    const { provider } = codeFlowProvider({ route: (r) => r.authenticateUser(authenticate).setUsernameField('email').setPasswordField('secret').consent(() => true) })
    const page = await authorize(provider, (await codeRequest()).params)
    expect(page.body).toContain('name="email"')
    expect(page.body).toContain('name="secret"')
    const result = await submit(provider, { ...hiddenFields(page.body), email: 'bob', secret: 'pw' }, cookieOf(page))
    expect(codeOf(result)).toBeDefined()
  })

  it('escapes every request value it shows: login_hint, state, client name', async () => {
    const evil = '"><script>alert(1)</script>'
    const client = { ...WEB_CLIENT, client_name: `<img src=x onerror=alert(1)>` }
    const { provider } = codeFlowProvider({ clients: [client] })
    const { params } = await codeRequest(client, { login_hint: evil, state: evil })
    const page = await authorize(provider, params)
    expect(page.status).toBe(200)
    expect(page.body).not.toContain('<script>alert(1)</script>')
    expect(page.body).not.toContain('<img src=x')
    expect(page.body).toContain('&lt;img src&#61;x onerror&#61;alert(1)&gt;')
    // The browser gets the values back intact.
    expect(hiddenFields(page.body)['state']).toBe(evil)
    expect(page.body).toContain(`value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" autocomplete="username"`)
  })

  it('shows a scope named like an Object.prototype member (toString, constructor) by its name alone on the consent page, with no inherited description', async () => {
    // The plain OAuth 2.0 builder without setScopes accepts any scope token.
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => (id === WEB_CLIENT.client_id ? WEB_CLIENT : undefined))
      .authorizationRoute((r) => r.authenticateUser(() => ({ sub: 'user-alice' })))
      .build()
    const { params } = await codeRequest(WEB_CLIENT, { scope: 'toString constructor __proto__' })
    const page = await authorize(provider, params)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    expect(hiddenFields(consent.body)['oauth2_step']).toBe('consent')
    expect(consent.body).toContain('<li><code>toString</code></li>')
    expect(consent.body).toContain('<li><code>constructor</code></li>')
    expect(consent.body).not.toContain('native code')
  })

  it('answers access_denied, with state, when the user denies consent', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const result = await signInAndConsent(provider, params, undefined, 'deny')
    const { params: response } = expectErrorRedirect(result, 'access_denied')
    expect(response['state']).toBe('state-123')
  })

  it('skips the consent page when the consent callback grants, and grants only the scopes it lists', async () => {
    const consent = vi.fn(() => ['openid'])
    const { provider } = codeFlowProvider({ route: (r) => r.consent(consent) })
    const { params, verifier } = await codeRequest()
    const page = await authorize(provider, params)
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    expect(consent).toHaveBeenCalledWith(expect.objectContaining({ user: expect.objectContaining({ sub: 'user-alice' }), scopes: ['openid', 'profile'] }))
    const tokens = await postToken(provider, { grant_type: 'authorization_code', code: codeOf(result), redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(tokens.json['scope']).toBe('openid')
  })

  it('answers access_denied when the consent callback refuses', async () => {
    const { provider } = codeFlowProvider({ route: (r) => r.consent(() => false) })
    const page = await authorize(provider, (await codeRequest()).params)
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    expectErrorRedirect(result, 'access_denied')
  })

  it('voids the consent form when a carried request field was changed (the login ticket is bound to the request)', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const page = await authorize(provider, params)
    const cookie = cookieOf(page)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    const tampered = { ...hiddenFields(consent.body), scope: 'openid profile email', oauth2_decision: 'allow' }
    const result = await submit(provider, tampered, cookie)
    expect(result.status).toBe(400)
    expect(result.headers['location']).toBeUndefined()
    expect(hiddenFields(result.body)['oauth2_step']).toBe('login')
  })

  it('accepts a consent form once (the login ticket is single use)', async () => {
    const { provider } = codeFlowProvider()
    const page = await authorize(provider, (await codeRequest()).params)
    const cookie = cookieOf(page)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    const fields = { ...hiddenFields(consent.body), oauth2_decision: 'allow' }
    expect(codeOf(await submit(provider, fields, cookie))).toBeDefined()
    const again = await submit(provider, fields, cookie)
    expect(again.status).toBe(400)
    expect(again.headers['location']).toBeUndefined()
  })

  it('voids a consent form submitted from another browser (the ticket is bound to the CSRF cookie)', async () => {
    const { provider } = codeFlowProvider()
    const page = await authorize(provider, (await codeRequest()).params)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    const attacker = await authorize(provider, (await codeRequest()).params)
    const attackerCookie = cookieOf(attacker)
    const fields = { ...hiddenFields(consent.body), oauth2_csrf: attackerCookie.split('=')[1]!, oauth2_decision: 'allow' }
    const result = await submit(provider, fields, attackerCookie)
    expect(result.status).toBe(400)
    expect(result.headers['location']).toBeUndefined()
  })

  it('voids a consent form older than the login ticket lifetime', async () => {
    const { provider, clock } = codeFlowProvider({ route: (r) => r.setLoginTicketTtl(60) })
    const page = await authorize(provider, (await codeRequest()).params)
    const cookie = cookieOf(page)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    clock.advance(61_000)
    const result = await submit(provider, { ...hiddenFields(consent.body), oauth2_decision: 'allow' }, cookie)
    expect(result.status).toBe(400)
  })

  it('asks again, with 400, when the consent form has no decision', async () => {
    const { provider } = codeFlowProvider()
    const page = await authorize(provider, (await codeRequest()).params)
    const cookie = cookieOf(page)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    const result = await submit(provider, hiddenFields(consent.body), cookie)
    expect(result.status).toBe(400)
    expect(hiddenFields(result.body)['oauth2_step']).toBe('consent')
    expect(codeOf(await submit(provider, { ...hiddenFields(result.body), oauth2_decision: 'allow' }, cookie))).toBeDefined()
  })

  it('renders the sign-in page with setGETResponseRenderer and setPOSTErrorRenderer, keeping the security headers', async () => {
    const get = vi.fn((ctx: LoginPageContext, params: OAuth2ACAuthorizationParams) =>
      `<form method="post" action="${ctx.formAction}">${ctx.hiddenFields}<input name="${ctx.usernameField}"><input name="${ctx.passwordField}"></form><p>${params.clientId}</p>`,
    )
    const post = vi.fn((ctx: LoginPageContext) => ({ status: ctx.statusCode, headers: { 'X-Custom': 'yes', 'X-Frame-Options': 'SAMEORIGIN' }, body: `<p>${ctx.error}</p>` }))
    const { provider } = codeFlowProvider({ route: (r) => r.setGETResponseRenderer(get).setPOSTErrorRenderer(post) })
    const page = await authorize(provider, (await codeRequest()).params)
    expect(page.body).toContain('<p>web-app</p>')
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(get.mock.calls[0]![0]).toMatchObject({ statusCode: 200, usernameField: 'username', passwordField: 'password', formAction: AUTHORIZE_URL })
    const failed = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'bad' }, cookieOf(page))
    expect(failed.status).toBe(401)
    expect(failed.body).toBe('<p>access_denied</p>')
    expect(failed.headers['x-custom']).toBe('yes')
    expect(failed.headers['x-frame-options']).toBe('DENY')
    expect(failed.headers['cache-control']).toBe('no-store')
    expect(failed.headers['set-cookie']).toMatch(/^__Host-oauth2_csrf=/)
  })

  it('renders the consent page with setConsentRenderer', async () => {
    const renderer = vi.fn((ctx: { hiddenFields: string; decisionField: string; user: { sub: string } }) => `<p>${ctx.user.sub}</p><form method="post">${ctx.hiddenFields}</form>`)
    const { provider } = codeFlowProvider({ route: (r) => r.setConsentRenderer(renderer) })
    const page = await authorize(provider, (await codeRequest()).params)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    expect(consent.body).toContain('<p>user-alice</p>')
    expect(renderer.mock.calls[0]![0].decisionField).toBe('oauth2_decision')
  })
})

describe('OpenID Connect Core §3.1.2.1 prompt, max_age and login_hint', () => {
  const session = { sub: 'user-alice', authTime: Math.floor(Date.UTC(2026, 0, 1, 11, 50) / 1000), amr: ['pwd'] }

  it('answers prompt=none without a session with login_required', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { prompt: 'none' })
    expectErrorRedirect(await authorize(provider, params), 'login_required')
  })

  it('answers prompt=none with a session and a granting consent callback with a code and no page', async () => {
    const { provider } = codeFlowProvider({ route: (r) => r.findSession(() => session).consent(() => true) })
    const { params, verifier } = await codeRequest(WEB_CLIENT, { prompt: 'none' })
    const result = await authorize(provider, params)
    expect(result.status).toBe(302)
    const tokens = await postToken(provider, { grant_type: 'authorization_code', code: codeOf(result), redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(tokens.status).toBe(200)
  })

  it('answers prompt=none with consent_required when consent would need the page', async () => {
    const { provider } = codeFlowProvider({ route: (r) => r.findSession(() => session) })
    const { params } = await codeRequest(WEB_CLIENT, { prompt: 'none' })
    expectErrorRedirect(await authorize(provider, params), 'consent_required')
  })

  it('refuses prompt=none combined with another value as invalid_request', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { prompt: 'none login' })
    expectErrorRedirect(await authorize(provider, params), 'invalid_request')
  })

  it('skips the sign-in page with a session, and shows it for prompt=login', async () => {
    const { provider } = codeFlowProvider({ route: (r) => r.findSession(() => session) })
    const withSession = await authorize(provider, (await codeRequest()).params)
    expect(hiddenFields(withSession.body)['oauth2_step']).toBe('consent')
    const forced = await authorize(provider, (await codeRequest(WEB_CLIENT, { prompt: 'login' })).params)
    expect(hiddenFields(forced.body)['oauth2_step']).toBe('login')
  })

  it('asks for a fresh sign-in when the session is older than max_age, and carries auth_time into the ID token', async () => {
    const { provider, clock } = codeFlowProvider({ route: (r) => r.findSession(() => session).consent(() => true) })
    // The session is 10 minutes old.
    const stale = await authorize(provider, (await codeRequest(WEB_CLIENT, { max_age: '300' })).params)
    expect(hiddenFields(stale.body)['oauth2_step']).toBe('login')
    expectErrorRedirect(await authorize(provider, (await codeRequest(WEB_CLIENT, { max_age: '300', prompt: 'none' })).params), 'login_required')
    const { params, verifier } = await codeRequest(WEB_CLIENT, { max_age: '900', prompt: 'none', nonce: 'n1' })
    const fresh = await authorize(provider, params)
    const tokens = await postToken(provider, { grant_type: 'authorization_code', code: codeOf(fresh), redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    const payload = JSON.parse(atob((tokens.json['id_token'] as string).split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>
    expect(payload['auth_time']).toBe(session.authTime)
    expect(payload['auth_time']).toBeLessThan(clock.now() / 1000)
  })

  it('works with a sign-in page of your own: the renderer sends the user there, findSession finds the session afterwards', async () => {
    let signedIn = false
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => (id === WEB_CLIENT.client_id ? WEB_CLIENT : undefined))
      .authorizationRoute((r) =>
        r
          .findSession(() => (signedIn ? session : null))
          .setGETResponseRenderer((_ctx, params) => ({ status: 302, headers: { location: `/login?client=${encodeURIComponent(params.clientId)}` }, body: '' }))
          .consent(() => true),
      )
      .build()
    const { params } = await codeRequest(WEB_CLIENT, { scope: 'read' })
    const first = await authorize(provider, params)
    expect(first.status).toBe(302)
    expect(first.headers['location']).toBe('/login?client=web-app')
    // A forged sign-in POST proves nothing without authenticateUser.
    const forged = await submit(provider, { ...params, oauth2_step: 'login', username: 'alice', password: 'x' }, undefined)
    expect(forged.headers['location']).toBe('/login?client=web-app')
    signedIn = true
    expect(codeOf(await authorize(provider, params))).toBeDefined()
  })

  it('shows the consent page for prompt=consent even when the consent callback would grant', async () => {
    const { provider } = codeFlowProvider({ route: (r) => r.findSession(() => session).consent(() => true) })
    const page = await authorize(provider, (await codeRequest(WEB_CLIENT, { prompt: 'consent' })).params)
    expect(hiddenFields(page.body)['oauth2_step']).toBe('consent')
  })

  it('prefills the username with login_hint and passes it to the renderer', async () => {
    const renderer = vi.fn((ctx: LoginPageContext) => `<p>${ctx.loginHint ?? ''}</p>`)
    const { provider } = codeFlowProvider()
    const page = await authorize(provider, (await codeRequest(WEB_CLIENT, { login_hint: 'alice@example.org' })).params)
    expect(page.body).toContain('value="alice@example.org"')
    const custom = codeFlowProvider({ route: (r) => r.setGETResponseRenderer(renderer) }).provider
    await authorize(custom, (await codeRequest(WEB_CLIENT, { login_hint: 'alice@example.org' })).params)
    expect(renderer.mock.calls[0]![0].loginHint).toBe('alice@example.org')
  })
})

describe('kaapi authorizationRoute: generateCode, finalizeAuthorization, setClientId / setRedirectUri', () => {
  function kaapiProvider(generateCode: Parameters<import('@x/oauth2-core').OAuth2ACAuthorizationRoute['generateCode']>[0], extra?: (r: import('@x/oauth2-core').OAuth2ACAuthorizationRoute) => unknown) {
    const generateToken = vi.fn(async (_context: OAuth2ACTokenParams) => new OAuth2TokenResponse({ access_token: 'at' }))
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .addClientAuthenticationMethod('none')
      .authorizationRoute((r) => {
        r.setClientId('kaapi-app').setRedirectUri(REDIRECT_URI).generateCode(generateCode)
        extra?.(r)
      })
      .tokenRoute((r) => r.generateToken(generateToken))
      .build()
    return { provider, generateToken }
  }

  it('runs generateCode on the sign-in POST and sends its code', async () => {
    const generateCode = vi.fn((_params: OAuth2ACAuthorizationParams) => ({ type: 'code' as const, value: 'kaapi-code-1' }))
    const { provider, generateToken } = kaapiProvider(generateCode)
    const { params, verifier } = await codeRequest({ client_id: 'kaapi-app' }, { scope: 'read' })
    const page = await authorize(provider, params)
    expect(generateCode).not.toHaveBeenCalled()
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'u', password: 'p' }, cookieOf(page))
    expect(redirectParams(result).params).toEqual({ code: 'kaapi-code-1', state: 'state-123', iss: ISSUER })
    expect(generateCode.mock.calls[0]![0]).toMatchObject({ clientId: 'kaapi-app', redirectUri: REDIRECT_URI, scope: 'read', codeChallengeMethod: 'S256' })
    // The user's generateToken redeems the user's code.
    await postToken(provider, { grant_type: 'authorization_code', client_id: 'kaapi-app', code: 'kaapi-code-1', redirect_uri: REDIRECT_URI, code_verifier: verifier })
    expect(generateToken.mock.calls[0]![0]).toMatchObject({ code: 'kaapi-code-1', codeVerifier: verifier })
  })

  it('shows the form again with 401 for null, 200 with the value for continue, and access_denied for deny', async () => {
    const answers = [null, { type: 'continue' as const, value: 'step-2' }, { type: 'deny' as const }]
    const renderer = vi.fn((ctx: LoginPageContext) => `<form>${ctx.hiddenFields}</form><p>${String(ctx.value ?? '')}</p>`)
    const { provider } = kaapiProvider(() => answers.shift(), (r) => r.setGETResponseRenderer(renderer))
    const { params } = await codeRequest({ client_id: 'kaapi-app' }, { scope: 'read' })
    const page = await authorize(provider, params)
    const cookie = cookieOf(page)
    const fields = { ...hiddenFields(page.body), username: 'u', password: 'p' }
    expect((await submit(provider, fields, cookie)).status).toBe(401)
    const cont = await submit(provider, fields, cookie)
    expect(cont.status).toBe(200)
    expect(cont.body).toContain('<p>step-2</p>')
    expectErrorRedirect(await submit(provider, fields, cookie), 'access_denied')
  })

  it('checks the CSRF token before generateCode runs', async () => {
    const generateCode = vi.fn(() => ({ type: 'code' as const, value: 'c' }))
    const { provider } = kaapiProvider(generateCode)
    const page = await authorize(provider, (await codeRequest({ client_id: 'kaapi-app' }, { scope: 'read' })).params)
    expect((await submit(provider, { ...hiddenFields(page.body), username: 'u', password: 'p' }, undefined)).status).toBe(403)
    expect(generateCode).not.toHaveBeenCalled()
  })

  it('accepts only the setClientId client and the setRedirectUri redirect URI', async () => {
    const { provider } = kaapiProvider(() => null)
    expectErrorPage(await authorize(provider, (await codeRequest({ client_id: 'other-app' }, { scope: 'read' })).params))
    expectErrorPage(await authorize(provider, (await codeRequest({ client_id: 'kaapi-app' }, { scope: 'read', redirect_uri: 'https://client.example.org/other' })).params))
  })

  it('lets finalizeAuthorization send the response, with the full redirect URI in its context', async () => {
    const finalize = vi.fn((ctx: { fullRedirectUri: string }) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: ctx.fullRedirectUri }))
    const { provider } = kaapiProvider(() => ({ type: 'code', value: 'kc' }), (r) => r.finalizeAuthorization(finalize))
    const page = await authorize(provider, (await codeRequest({ client_id: 'kaapi-app' }, { scope: 'read' })).params)
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'u', password: 'p' }, cookieOf(page))
    expect(result.status).toBe(200)
    expect(result.body).toBe(`${REDIRECT_URI}?code=kc&state=state-123&iss=${encodeURIComponent(ISSUER)}`)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(finalize.mock.calls[0]![0]).toMatchObject({ authorizationResult: { type: 'code', value: 'kc' }, usernameField: 'username', passwordField: 'password' })
  })

  it('runs generateCode after sign-in and consent when authenticateUser is given, with the user and granted scopes', async () => {
    const generateCode = vi.fn((_params: OAuth2ACAuthorizationParams) => ({ type: 'code' as const, value: 'after-consent' }))
    const { provider } = codeFlowProvider({
      route: (r) => r.generateCode(generateCode),
      builder: (b) => b.tokenRoute((t) => t.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' }))),
    })
    const result = await signInAndConsent(provider, (await codeRequest()).params)
    expect(codeOf(result)).toBe('after-consent')
    expect(generateCode.mock.calls[0]![0]).toMatchObject({ user: { sub: 'user-alice' }, grantedScopes: ['openid', 'profile'] })
  })
})

describe('authorizationRoute configuration errors (thrown by build())', () => {
  it('requires a client lookup, or setClientId with setRedirectUri: never an open redirect', () => {
    const build = () =>
      OAuth2AuthorizationCodeBuilder.create()
        .setIssuer(ISSUER)
        .authorizationRoute((r) => r.authenticateUser(() => null))
        .build()
    expect(build).toThrow(TypeError)
    expect(build).toThrow(/findClient/)
  })

  it('requires authenticateUser or generateCode', () => {
    expect(() =>
      OAuth2AuthorizationCodeBuilder.create()
        .setIssuer(ISSUER)
        .findClient(() => undefined)
        .authorizationRoute((r) => r.setCodeTtl(60))
        .build(),
    ).toThrow(/authenticateUser/)
  })

  it('requires tokenRoute generateToken when generateCode issues the codes', () => {
    expect(() =>
      OAuth2AuthorizationCodeBuilder.create()
        .setIssuer(ISSUER)
        .findClient(() => undefined)
        .authorizationRoute((r) => r.generateCode(() => null))
        .build(),
    ).toThrow(/generateToken/)
  })

  it('refuses a code lifetime over 10 minutes (RFC 6749 §4.1.2)', () => {
    expect(() => OAuth2AuthorizationCodeBuilder.create().authorizationRoute((r) => r.setCodeTtl(601))).toThrow(TypeError)
  })

  it('refuses a sign-in field name the interaction uses itself (oauth2_...) or that is no plain name, and a callback that is no function', () => {
    const route = (configure: (r: OAuth2ACAuthorizationRoute) => unknown) => () => OAuth2AuthorizationCodeBuilder.create().authorizationRoute(configure)
    expect(route((r) => r.setUsernameField('oauth2_csrf'))).toThrow(new TypeError('setUsernameField: "oauth2_csrf" must be 1 to 64 letters, digits, _ . - and not start with oauth2_.'))
    expect(route((r) => r.setPasswordField('pass word'))).toThrow(/^setPasswordField: /)
    expect(route((r) => r.setUsernameField('x'.repeat(65)))).toThrow(TypeError)
    expect(route((r) => r.setUsernameField('user_code'))).not.toThrow()
    expect(route((r) => r.consent('yes' as never))).toThrow(new TypeError('consent(fn) needs a function.'))
    expect(route((r) => r.setGETResponseRenderer(undefined as never))).toThrow(new TypeError('setGETResponseRenderer(fn) needs a function.'))
  })
})

describe('RFC 6749 §4.1.3 access token request with a core authorization code', () => {
  it('issues tokens once, and a second use of the code is invalid_grant and revokes what the first use issued (RFC 6749 §4.1.2)', async () => {
    const { provider } = codeFlowProvider()
    const { code, verifier, tokens } = await codeAndTokens(provider, { scope: 'openid profile offline_access' })
    expect(tokens.status).toBe(200)
    const accessToken = tokens.json['access_token'] as string
    const userinfo = () => provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/userinfo`, headers: { authorization: `Bearer ${accessToken}` } })
    expect((await userinfo()).status).toBe(200)

    const replay = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(replay.status).toBe(400)
    expect(replay.json['error']).toBe('invalid_grant')
    expect((await userinfo()).status).toBe(401)
    const refresh = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.json['refresh_token'] as string }, WEB_AUTH)
    expect(refresh.json['error']).toBe('invalid_grant')
  })

  it('reports a reused code to onSecurityEvent (RFC 6749 §4.1.2)', async () => {
    const events: Array<{ type: string; clientId: string }> = []
    const { provider } = codeFlowProvider({ builder: (b) => b.onSecurityEvent((event) => events.push(event)) })
    const { code, verifier, tokens } = await codeAndTokens(provider, { scope: 'openid profile' })
    expect(tokens.status).toBe(200)
    expect(events).toEqual([])
    await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(events).toMatchObject([{ type: 'authorization_code_reuse', clientId: WEB_CLIENT.client_id }])
  })

  it('reports an async onSecurityEvent that rejects to onError, and an async onError that rejects nowhere: no unhandled rejection (docs/errors.md)', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const reported: unknown[] = []
      const { provider } = codeFlowProvider({
        builder: (b) =>
          b
            .onSecurityEvent(async () => {
              throw new Error('alerting backend down')
            })
            .onError(async (error) => {
              reported.push(error)
              throw new Error('logging backend down too')
            }),
      })
      const { code, verifier } = await codeAndTokens(provider, { scope: 'openid profile' })
      const replay = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
      expect(replay.json['error']).toBe('invalid_grant')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(String(reported[0])).toContain('alerting backend down')
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('refuses a code issued to another client as invalid_grant', async () => {
    const other = { ...WEB_CLIENT, client_id: 'other-app', client_secret: 'other-secret' }
    const { provider } = codeFlowProvider({ clients: [WEB_CLIENT, other] })
    const { params, verifier } = await codeRequest()
    const code = codeOf(await signInAndConsent(provider, params))
    const result = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, { authorization: basicAuth('other-app', 'other-secret') })
    expect(result.json['error']).toBe('invalid_grant')
  })

  it('requires the redirect_uri of the authorization request, identical', async () => {
    const { provider } = codeFlowProvider()
    for (const redirect of [undefined, 'https://client.example.org/cb2?tenant=a&x=1']) {
      const { params, verifier } = await codeRequest()
      const code = codeOf(await signInAndConsent(provider, params))
      const result = await postToken(provider, { grant_type: 'authorization_code', code, code_verifier: verifier, ...(redirect !== undefined ? { redirect_uri: redirect } : {}) }, WEB_AUTH)
      expect(result.json['error']).toBe('invalid_grant')
    }
  })

  it('refuses an expired code (60 s by default, setCodeTtl to change)', async () => {
    const { provider, clock } = codeFlowProvider()
    const { params, verifier } = await codeRequest()
    const code = codeOf(await signInAndConsent(provider, params))
    clock.advance(60_000)
    const result = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(result.json['error']).toBe('invalid_grant')

    const longer = codeFlowProvider({ route: (r) => r.setCodeTtl(120) })
    const second = await codeRequest()
    const code2 = codeOf(await signInAndConsent(longer.provider, second.params))
    longer.clock.advance(90_000)
    const ok = await postToken(longer.provider, { grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT_URI, code_verifier: second.verifier }, WEB_AUTH)
    expect(ok.status).toBe(200)
  })

  it('still detects a replay after the code expired, and revokes the tokens of its first use', async () => {
    const { provider, clock } = codeFlowProvider()
    const { code, verifier, tokens } = await codeAndTokens(provider)
    clock.advance(10 * 60_000)
    const replay = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(replay.json['error']).toBe('invalid_grant')
    const userinfo = await provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/userinfo`, headers: { authorization: `Bearer ${tokens.json['access_token'] as string}` } })
    expect(userinfo.status).toBe(401)
  })

  it('refuses an unknown code as invalid_grant', async () => {
    const { provider } = codeFlowProvider()
    const { verifier } = await pkcePair()
    const result = await postToken(provider, { grant_type: 'authorization_code', code: 'made-up', redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    expect(result.json['error']).toBe('invalid_grant')
  })

  it('stores the code only under its SHA-256 hash, valid 60 s, kept as long as an access token of it lives', async () => {
    const writes: Array<{ kind: StoreKind; id: string; entry: StoredEntry; expiresAt: number }> = []
    class RecordingStore extends MemoryStore {
      override set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number) {
        writes.push({ kind, id, entry, expiresAt })
        return super.set(kind, id, entry, expiresAt)
      }
    }
    const clock = testClock()
    const store = new RecordingStore({ now: clock.now })
    const { provider } = codeFlowProvider({ clock, builder: (b) => b.setStore(store) })
    const { params } = await codeRequest(WEB_CLIENT, { nonce: 'nonce-1' })
    const code = codeOf(await signInAndConsent(provider, params))
    const write = writes.find((w) => w.kind === 'authorization_code')!
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(code)))
    const { base64url } = await import('jose')
    expect(write.id).toBe(base64url.encode(digest))
    expect(JSON.stringify(write.entry)).not.toContain(code)
    expect(write.entry['codeExpiresAt']).toBe(clock.now() + 60_000)
    expect(write.expiresAt).toBe(clock.now() + 60_000 + 3600_000)
    expect(write.entry).toMatchObject({ clientId: 'web-app', redirectUri: REDIRECT_URI, codeChallengeMethod: 'S256', nonce: 'nonce-1', sub: 'user-alice', scope: ['openid', 'profile'] })
  })

  it('gives a generateToken handler the redeemed code data, already checked', async () => {
    let seen: AuthorizationCodeData | undefined
    const { provider } = codeFlowProvider({
      builder: (b) =>
        b.tokenRoute((t) =>
          t.generateToken(async ({ authorization, createJwtAccessToken }) => {
            seen = authorization
            const { token } = await createJwtAccessToken!({ sub: authorization!.sub, scope: authorization!.scopes })
            return new OAuth2TokenResponse({ access_token: token }).setScope(authorization!.scopes)
          }),
        ),
    })
    const { tokens } = await codeAndTokens(provider, { nonce: 'nonce-2' })
    expect(tokens.status).toBe(200)
    expect(seen).toMatchObject({ clientId: 'web-app', sub: 'user-alice', scopes: ['openid', 'profile'], nonce: 'nonce-2', redirectUri: REDIRECT_URI, amr: ['pwd'] })
    // Its access token, recorded by createJwtAccessToken, is honoured by userinfo.
    const userinfo = await provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/userinfo`, headers: { authorization: `Bearer ${tokens.json['access_token'] as string}` } })
    expect(userinfo.status).toBe(200)
  })

  it('issues a refresh token only to a client registered for the refresh_token grant', async () => {
    const noRefresh: ClientMetadata = { ...WEB_CLIENT, grant_types: ['authorization_code'] }
    const { provider } = codeFlowProvider({ clients: [noRefresh], oidc: false })
    const { tokens } = await codeAndTokens(provider, { scope: 'profile' })
    expect(tokens.status).toBe(200)
    expect(tokens.json['refresh_token']).toBeUndefined()
    const withRefresh = codeFlowProvider({ oidc: false }).provider
    const second = await codeAndTokens(withRefresh, { scope: 'profile' })
    expect(typeof second.tokens.json['refresh_token']).toBe('string')
  })

  it('signs the ID token with the client registered id_token_signed_response_alg (OIDC Dynamic Registration §2)', async () => {
    const es256: ClientMetadata = { ...WEB_CLIENT, id_token_signed_response_alg: 'ES256' }
    const { provider } = codeFlowProvider({ clients: [es256] })
    const { tokens } = await codeAndTokens(provider, { nonce: 'n' })
    const header = JSON.parse(atob((tokens.json['id_token'] as string).split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>
    expect(header['alg']).toBe('ES256')
  })

  it('works with a public client that authenticates with none and proves possession with PKCE', async () => {
    const { provider } = codeFlowProvider()
    const { params, verifier } = await codeRequest(PUBLIC_CLIENT)
    const code = codeOf(await signInAndConsent(provider, params))
    const result = await postToken(provider, { grant_type: 'authorization_code', client_id: PUBLIC_CLIENT.client_id, code, redirect_uri: REDIRECT_URI, code_verifier: verifier })
    expect(result.status).toBe(200)
  })

  it('serves the core codes with a MultipleFlowsBuilder too', async () => {
    const { MultipleFlowsBuilder, OAuth2ClientCredentialsBuilder } = await import('@x/oauth2-core')
    const clock = testClock()
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .findClient((id) => (id === WEB_CLIENT.client_id ? WEB_CLIENT : undefined))
      .add(
        OIDCAuthorizationCodeBuilder.create()
          .setScopes({ profile: 'Profile' })
          .authorizationRoute((r) => r.authenticateUser(() => ({ sub: 'user-alice' })).consent(() => true)),
      )
      .add(OAuth2ClientCredentialsBuilder.create().tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'cc' }))))
      .build()
    const { tokens } = await codeAndTokens(provider)
    expect(tokens.status).toBe(200)
    expect(typeof tokens.json['id_token']).toBe('string')
  })
})

describe('the form parser of the endpoint', () => {
  it('reads a POSTed body given as URLSearchParams', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest()
    const result = await provider.handle({ method: 'POST', url: AUTHORIZE_URL, headers: { 'content-type': FORM }, body: new URLSearchParams(params) })
    expect(result.status).toBe(200)
    expect(hiddenFields(result.body)['client_id']).toBe('web-app')
  })
})

describe('RFC 6749 §4.1.2.1 and RFC 9700 §4.1.3 under arbitrary input', () => {
  const registered = [...WEB_CLIENT.redirect_uris!, ...PUBLIC_CLIENT.redirect_uris!]
  const value = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.constantFrom('code', 'token', 'web-app', 'native-app', REDIRECT_URI, 'https://attacker.example/cb', 'openid profile', 'none', 'login', 'S256', 'plain', 'form_post', 'login', 'consent', 'allow', '0', '-1'),
  )
  const names = fc.constantFrom(
    'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'prompt',
    'max_age', 'login_hint', 'response_mode', 'request', 'request_uri', 'oauth2_step', 'oauth2_csrf', 'oauth2_ticket', 'oauth2_decision', 'username', 'password',
  )
  const params = fc.array(fc.tuple(names, value), { maxLength: 14 })

  it('never answers 5xx, and never redirects anywhere but a registered redirect URI', async () => {
    const { provider } = codeFlowProvider()
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (pairs, post) => {
        const search = new URLSearchParams(pairs)
        const result = post
          ? await provider.handle({ method: 'POST', url: AUTHORIZE_URL, headers: { 'content-type': FORM, cookie: '__Host-oauth2_csrf=x' }, body: search.toString() })
          : await provider.handle({ method: 'GET', url: `${AUTHORIZE_URL}?${search.toString()}`, headers: {} })
        expect(result.status).toBeLessThan(500)
        const location = result.headers['location']
        if (location !== undefined) expect(registered.some((uri) => location.startsWith(uri.includes('?') ? `${uri}&` : `${uri}?`))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
