import { describe, expect, it, vi } from 'vitest'
import { OAuth2AuthorizationCodeBuilder, OAuth2TokenResponse, type GetUserInfo, type OAuth2Provider } from '@x/oauth2-core'
import { codeFlowProvider, codeRequest, REDIRECT_URI, redirectParams, signInAndConsent, WEB_AUTH, WEB_CLIENT, type CodeFlowSetup } from '../fixtures/authorization.js'
import { FORM, ISSUER, json, postToken, testClock } from '../fixtures/request.js'

const USERINFO_URL = `${ISSUER}/oauth2/userinfo`

const CLAIMS = {
  name: 'Alice Liddell',
  given_name: 'Alice',
  email: 'alice@example.org',
  email_verified: true,
  address: { country: 'GB' },
  phone_number: '+44 20 7946 0000',
  department: 'Wonderland',
  sub: 'someone-else',
}

function setup(getUserInfo: GetUserInfo = () => CLAIMS, extra: CodeFlowSetup = {}) {
  const spy = vi.fn(getUserInfo)
  const built = codeFlowProvider({
    ...extra,
    builder: (b) => (extra.builder ?? ((x) => x))(b.userInfo(spy)),
  })
  return { ...built, spy }
}

/** An access token for the given scope, through the whole code flow. */
async function accessToken(provider: OAuth2Provider, scope = 'openid profile'): Promise<string> {
  const { params, verifier } = await codeRequest(WEB_CLIENT, { scope })
  const result = await signInAndConsent(provider, params)
  const code = redirectParams(result).params['code']!
  const tokens = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
  expect(tokens.status).toBe(200)
  return tokens.json['access_token'] as string
}

function get(provider: OAuth2Provider, headers: Record<string, string>, url = USERINFO_URL) {
  return provider.handle({ method: 'GET', url, headers })
}

describe('OpenID Connect Core §5.3 UserInfo request and response', () => {
  it('answers a GET with the Bearer token: sub and the claims its scopes release', async () => {
    const { provider, spy } = setup()
    const token = await accessToken(provider, 'openid profile')
    const result = await get(provider, { authorization: `Bearer ${token}` })
    expect(result.status).toBe(200)
    expect(result.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(result.headers['cache-control']).toBe('no-store')
    expect(json(result)).toEqual({ sub: 'user-alice', name: 'Alice Liddell', given_name: 'Alice' })
    expect(spy).toHaveBeenCalledWith('user-alice', ['openid', 'profile'], expect.objectContaining({ clientId: 'web-app' }))
  })

  it('releases claims by scope (OIDC Core §5.4): email, address, phone', async () => {
    const { provider } = setup()
    const token = await accessToken(provider, 'openid email')
    expect(json(await get(provider, { authorization: `Bearer ${token}` }))).toEqual({ sub: 'user-alice', email: 'alice@example.org', email_verified: true })
    const { provider: all } = setup(undefined, { builder: (b) => b.setScopes({ profile: 'p', email: 'e', address: 'a', phone: 'ph' }) })
    const body = json(await get(all, { authorization: `Bearer ${await accessToken(all, 'openid address phone')}` }))
    expect(body).toEqual({ sub: 'user-alice', address: { country: 'GB' }, phone_number: '+44 20 7946 0000' })
  })

  it('always answers the token sub, whatever the callback returns (OIDC Core §5.3.2)', async () => {
    const { provider } = setup()
    const body = json(await get(provider, { authorization: `Bearer ${await accessToken(provider)}` }))
    expect(body['sub']).toBe('user-alice')
  })

  it('releases the claims of a scope mapped with setScopeClaims', async () => {
    const { provider } = setup(undefined, {
      builder: (b) => b.setScopes({ profile: 'p', staff: 'Staff data' }).userInfoRoute((r) => r.setScopeClaims('staff', ['department'])),
    })
    const body = json(await get(provider, { authorization: `Bearer ${await accessToken(provider, 'openid staff')}` }))
    expect(body).toEqual({ sub: 'user-alice', department: 'Wonderland' })
  })

  it('OIDC Core §5.4: releases for a scope named like an Object.prototype member (toString, __proto__, constructor) only the claims mapped to it, never a 500', async () => {
    // The plain OAuth 2.0 builder without setScopes accepts any scope token.
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setClock(testClock().now)
      .addClientAuthenticationMethod('client_secret_basic')
      .findClient((id) => (id === WEB_CLIENT.client_id ? WEB_CLIENT : undefined))
      .authorizationRoute((r) => r.authenticateUser(() => ({ sub: 'user-alice' })).consent(() => true))
      .userInfo(() => CLAIMS)
      .userInfoRoute((r) => r.setScopeClaims('__proto__', ['department']))
      .build()
    const token = await accessToken(provider, 'openid toString __proto__ constructor hasOwnProperty valueOf')
    const result = await get(provider, { authorization: `Bearer ${token}` })
    expect(result.status).toBe(200)
    expect(json(result)).toEqual({ sub: 'user-alice', department: 'Wonderland' })
  })

  it('answers sub alone without a userInfo callback', async () => {
    const { provider } = codeFlowProvider()
    expect(json(await get(provider, { authorization: `Bearer ${await accessToken(provider)}` }))).toEqual({ sub: 'user-alice' })
  })

  it('accepts POST with the token in the Authorization header, or in the form body (RFC 6750 §2.2)', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const header = await provider.handle({ method: 'POST', url: USERINFO_URL, headers: { authorization: `Bearer ${token}` } })
    expect(header.status).toBe(200)
    const body = await provider.handle({ method: 'POST', url: USERINFO_URL, headers: { 'content-type': FORM }, body: `access_token=${token}` })
    expect(body.status).toBe(200)
    expect(json(body)['sub']).toBe('user-alice')
  })

  it('reads the Bearer scheme case-insensitively (RFC 9110 §11.1)', async () => {
    const { provider } = setup()
    expect((await get(provider, { authorization: `bearer ${await accessToken(provider)}` })).status).toBe(200)
  })

  it('serves the endpoint under setPath', async () => {
    const { provider } = setup(undefined, { builder: (b) => b.userInfoRoute((r) => r.setPath('/me')) })
    const token = await accessToken(provider)
    expect((await get(provider, { authorization: `Bearer ${token}` }, `${ISSUER}/me`)).status).toBe(200)
    expect(provider.metadata()['userinfo_endpoint']).toBe(`${ISSUER}/me`)
  })

  it('is served by the plain OAuth 2.0 builder once configured, with opaque access tokens', async () => {
    const { provider } = setup(undefined, { oidc: false, builder: (b) => b.setScopes({ openid: 'OpenID', profile: 'p' }) })
    const token = await accessToken(provider)
    expect(token.split('.')).toHaveLength(1)
    expect(json(await get(provider, { authorization: `Bearer ${token}` }))['name']).toBe('Alice Liddell')
  })

  it('honours access tokens a generateToken handler signed with createJwtAccessToken', async () => {
    const { provider } = setup(undefined, {
      builder: (b) =>
        b.tokenRoute((t) =>
          t.generateToken(async ({ authorization, createJwtAccessToken }) => {
            const { token } = await createJwtAccessToken!({ sub: authorization!.sub, scope: authorization!.scopes })
            return new OAuth2TokenResponse({ access_token: token })
          }),
        ),
    })
    expect((await get(provider, { authorization: `Bearer ${await accessToken(provider)}` })).status).toBe(200)
  })
})

describe('OpenID Connect Core §5.3.3 and RFC 6750 §3 UserInfo errors', () => {
  it('answers a request without a token with 401 and a bare Bearer challenge, no error code (RFC 6750 §3.1)', async () => {
    const { provider } = setup()
    const result = await get(provider, {})
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toBe(`Bearer realm="${ISSUER}"`)
  })

  it('answers an unknown token with 401 invalid_token in the challenge', async () => {
    const { provider, spy } = setup()
    const result = await get(provider, { authorization: 'Bearer not-a-token' })
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+"$/)
    expect(json(result)['error']).toBe('invalid_token')
    expect(spy).not.toHaveBeenCalled()
  })

  it('answers an expired token with 401 invalid_token', async () => {
    const { provider, clock } = setup()
    const token = await accessToken(provider)
    clock.advance(3601_000)
    expect((await get(provider, { authorization: `Bearer ${token}` })).headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('answers a forged JWT (signed by another key) with 401 invalid_token', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const [header, payload] = token.split('.')
    const forged = `${header}.${payload}.${'A'.repeat(342)}`
    expect((await get(provider, { authorization: `Bearer ${forged}` })).status).toBe(401)
  })

  it('answers a token without the openid scope with 403 insufficient_scope and scope="openid"', async () => {
    const { provider } = setup()
    const token = await accessToken(provider, 'profile')
    const result = await get(provider, { authorization: `Bearer ${token}` })
    expect(result.status).toBe(403)
    expect(result.headers['www-authenticate']).toContain('error="insufficient_scope"')
    expect(result.headers['www-authenticate']).toContain('scope="openid"')
  })

  it('answers 401 invalid_token when the callback finds no such user', async () => {
    const { provider } = setup(() => null)
    const result = await get(provider, { authorization: `Bearer ${await accessToken(provider)}` })
    expect(result.status).toBe(401)
    expect(result.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('refuses a token sent both in the header and in the body with 400 invalid_request (RFC 6750 §2)', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const result = await provider.handle({ method: 'POST', url: USERINFO_URL, headers: { authorization: `Bearer ${token}`, 'content-type': FORM }, body: `access_token=${token}` })
    expect(result.status).toBe(400)
    expect(result.headers['www-authenticate']).toContain('error="invalid_request"')
  })

  it('RFC 6750 §2: refuses a token in the header and in a body that also repeats another field, with 400 invalid_request', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const result = await provider.handle({ method: 'POST', url: USERINFO_URL, headers: { authorization: `Bearer ${token}`, 'content-type': FORM }, body: `x=1&x=2&access_token=${token}` })
    expect(result.status).toBe(400)
    expect(result.headers['www-authenticate']).toContain('error="invalid_request"')
  })

  it('RFC 6750 §2.1: answers a valid header token whatever unrelated fields the body repeats', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    for (const body of ['x=1&x=2', new URLSearchParams('x=1&x=2'), 'access_token=&access_token=']) {
      const result = await provider.handle({ method: 'POST', url: USERINFO_URL, headers: { authorization: `Bearer ${token}`, 'content-type': FORM }, body })
      expect(result.status).toBe(200)
      expect(json(result)['sub']).toBe('user-alice')
    }
  })

  it('RFC 6750 §3: refuses a body with a repeated parameter or over the size limit with invalid_request and a Bearer challenge', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const post = (body: string, headers: Record<string, string> = {}) => provider.handle({ method: 'POST', url: USERINFO_URL, headers: { 'content-type': FORM, ...headers }, body })
    const repeated = await post(`access_token=${token}&access_token=${token}`)
    expect(repeated.status).toBe(400)
    expect(json(repeated)['error']).toBe('invalid_request')
    expect(repeated.headers['www-authenticate']).toMatch(/^Bearer realm="[^"]+", error="invalid_request", error_description="[^"]+"$/)
    for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
      const large = await post(`access_token=${token}&pad=${'a'.repeat(70_000)}`, headers)
      expect(large.status).toBe(413)
      expect(json(large)['error']).toBe('invalid_request')
      expect(large.headers['www-authenticate']).toContain('error="invalid_request"')
    }
  })

  it('refuses a token in the query string with 400 invalid_request (RFC 6750 §2.3)', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const result = await get(provider, {}, `${USERINFO_URL}?access_token=${token}`)
    expect(result.status).toBe(400)
  })

  it('refuses a malformed Bearer credential with 400 invalid_request', async () => {
    const { provider } = setup()
    const result = await get(provider, { authorization: 'Bearer a b' })
    expect(result.status).toBe(400)
    expect(result.headers['www-authenticate']).toContain('error="invalid_request"')
  })

  it('RFC 6750 §2.1, §2: reads Bearer<TAB> as a malformed Bearer header, alone or besides a body token, as the resource middleware does', async () => {
    const { provider } = setup()
    const token = await accessToken(provider)
    const alone = await get(provider, { authorization: `Bearer\t${token}` })
    expect(alone.status).toBe(400)
    expect(alone.headers['www-authenticate']).toContain('error="invalid_request"')
    const twice = await provider.handle({ method: 'POST', url: USERINFO_URL, headers: { authorization: `Bearer\t${token}`, 'content-type': FORM }, body: `access_token=${token}` })
    expect(twice.status).toBe(400)
    expect(twice.headers['www-authenticate']).toContain('error="invalid_request"')
    expect((await provider.authenticateResourceRequest({ headers: { authorization: `Bearer\t${token}` } })).ok).toBe(false)
  })

  it('answers a throwing callback with 500 server_error and reports it to onError', async () => {
    const onError = vi.fn()
    const { provider } = setup(() => {
      throw new Error('database down')
    }, { builder: (b) => b.onError(onError) })
    const result = await get(provider, { authorization: `Bearer ${await accessToken(provider)}` })
    expect(result.status).toBe(500)
    expect(result.body).not.toContain('database down')
    expect(onError).toHaveBeenCalledTimes(1)
  })
})
