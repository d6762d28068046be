import { describe, expect, it, vi } from 'vitest'
import type { LoginPageContext, OAuth2ACAuthorizationParams, OAuth2ACAuthorizationRoute, OAuth2Provider, OAuth2Result } from '@x/oauth2-core'
import {
  authorize,
  codeFlowProvider,
  codeRequest,
  cookieOf,
  hiddenFields,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  redirectParams,
  signInAndConsent,
  submit,
  WEB_AUTH,
  WEB_CLIENT,
} from '../fixtures/authorization.js'
import { ISSUER, postToken, testClock } from '../fixtures/request.js'

/** A provider whose browser session is `session` (set by the test), and whose consent callback grants. */
function hintProvider(route?: (r: OAuth2ACAuthorizationRoute) => unknown) {
  const browser: { session: { sub: string } | null } = { session: null }
  const clock = testClock()
  const built = codeFlowProvider({
    clock,
    route: (r) => {
      r.findSession(() => (browser.session === null ? null : { ...browser.session, authTime: Math.floor(clock.now() / 1000) })).consent(() => true)
      route?.(r)
    },
  })
  return { ...built, browser }
}

/** Signs alice in on the form and redeems the code: her ID token, issued to `client`. */
async function idTokenOf(provider: OAuth2Provider, client = WEB_CLIENT): Promise<string> {
  const { params, verifier } = await codeRequest(client, { scope: 'openid', nonce: 'n-1' })
  const code = redirectParams(await signInAndConsent(provider, params)).params['code']!
  const auth = client === WEB_CLIENT ? WEB_AUTH : {}
  const extra = client === WEB_CLIENT ? {} : { client_id: client.client_id }
  const tokens = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, ...extra }, auth)
  expect(tokens.status).toBe(200)
  return tokens.json['id_token'] as string
}

function expectRedirect(result: OAuth2Result, expected: { error?: string; code?: boolean }) {
  expect([302, 303]).toContain(result.status)
  const { params } = redirectParams(result)
  if (expected.error !== undefined) expect(params['error'], params['error_description']).toBe(expected.error)
  if (expected.code === true) expect(params['code'], JSON.stringify(params)).toBeDefined()
  expect(params['iss']).toBe(ISSUER)
  return params
}

describe('OpenID Connect Core §3.1.2.1 id_token_hint', () => {
  it('OIDC Core §3.1.2.1: answers prompt=none with login_required when the session is another user than the hint names', async () => {
    const { provider, browser } = hintProvider()
    const hint = await idTokenOf(provider)
    browser.session = { sub: 'user-bob' }
    const { params } = await codeRequest(WEB_CLIENT, { prompt: 'none', id_token_hint: hint })
    const response = expectRedirect(await authorize(provider, params), { error: 'login_required' })
    expect(response['state']).toBe('state-123')
  })

  it('OIDC Core §3.1.2.1: answers prompt=none with a code when the hinted user is the one signed in', async () => {
    const { provider, browser } = hintProvider()
    const hint = await idTokenOf(provider)
    browser.session = { sub: 'user-alice' }
    const { params } = await codeRequest(WEB_CLIENT, { prompt: 'none', id_token_hint: hint })
    expectRedirect(await authorize(provider, params), { code: true })
  })

  it('OIDC Core §3.1.2.1: shows the sign-in page, not the consent of the other user, without prompt=none; whoever signs in there is accepted', async () => {
    const renderer = vi.fn((ctx: LoginPageContext, _params: OAuth2ACAuthorizationParams) => `<form>${ctx.hiddenFields}</form>`)
    const { provider, browser } = hintProvider((r) => r.setGETResponseRenderer(renderer))
    const hint = await idTokenOf(provider)
    browser.session = { sub: 'user-bob' }
    const { params } = await codeRequest(WEB_CLIENT, { id_token_hint: hint })
    const page = await authorize(provider, params)
    expect(page.status).toBe(200)
    expect(hiddenFields(page.body)['oauth2_step']).toBe('login')
    expect(hiddenFields(page.body)['id_token_hint']).toBe(hint)
    expect(renderer.mock.calls.at(-1)![1].idTokenHintSubject).toBe('user-alice')
    const result = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookieOf(page))
    expectRedirect(result, { code: true })
  })

  it('OIDC Core §3.1.2.1: accepts an expired ID token as the hint', async () => {
    const { provider, browser, clock } = hintProvider()
    const hint = await idTokenOf(provider)
    clock.advance(2 * 24 * 3600_000)
    browser.session = { sub: 'user-bob' }
    expectRedirect(await authorize(provider, (await codeRequest(WEB_CLIENT, { prompt: 'none', id_token_hint: hint })).params), { error: 'login_required' })
    browser.session = { sub: 'user-alice' }
    expectRedirect(await authorize(provider, (await codeRequest(WEB_CLIENT, { prompt: 'none', id_token_hint: hint })).params), { code: true })
  })

  it('OIDC Core §3.1.2.1: refuses as invalid_request a hint that is not an ID token this provider issued to the client', async () => {
    const { provider, browser } = hintProvider()
    const forPublicClient = await idTokenOf(provider, PUBLIC_CLIENT)
    const { params: tokenRequest, verifier } = await codeRequest(WEB_CLIENT, { scope: 'openid' })
    const code = redirectParams(await signInAndConsent(provider, tokenRequest)).params['code']!
    const tokens = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
    const accessToken = tokens.json['access_token'] as string
    const otherProvider = hintProvider().provider
    const foreign = await idTokenOf(otherProvider)
    const [header, payload] = (tokens.json['id_token'] as string).split('.')
    const forged = `${header}.${payload}.${'A'.repeat(342)}`
    browser.session = { sub: 'user-alice' }
    for (const hint of ['not-a-jwt', forPublicClient, accessToken, foreign, forged]) {
      const { params } = await codeRequest(WEB_CLIENT, { prompt: 'none', id_token_hint: hint })
      const response = expectRedirect(await authorize(provider, params), { error: 'invalid_request' })
      expect(response['error_description']).toContain('id_token_hint')
      expect(response['state']).toBe('state-123')
    }
  })

  it('RFC 6749 §3.1: ignores id_token_hint in a request that is not an OpenID one', async () => {
    const { provider, browser } = hintProvider()
    browser.session = { sub: 'user-bob' }
    const { params } = await codeRequest(WEB_CLIENT, { scope: 'profile', prompt: 'none', id_token_hint: 'not-a-jwt' })
    expectRedirect(await authorize(provider, params), { code: true })
  })
})
