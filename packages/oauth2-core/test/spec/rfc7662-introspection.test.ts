import { decodeJwt, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { OAuth2AuthorizationCodeBuilder, OAuth2ClientCredentialsBuilder } from '@x/oauth2-core'
import { basicAuth, FORM, ISSUER, json, postToken, testClock } from '../fixtures/request.js'
import { API, APP, authorize, CLIENTS, codeFlow, introspect, OTHER, postForm, refresh, revoke } from '../fixtures/token-management.js'

const INTROSPECT_URL = `${ISSUER}/oauth2/introspect`
const SECOND = 1000

describe('RFC 7662 §2.2 an active token', () => {
  it('describes an opaque access token: active, scope, client_id, sub, exp, iat, token_type, aud, iss', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).build()
    const tokens = await authorize(provider)
    const iat = Math.floor(clock.now() / 1000)
    expect(await introspect(provider, tokens.access_token)).toEqual({
      active: true,
      scope: 'read write',
      client_id: 'app',
      sub: 'alice',
      exp: iat + 3600,
      iat,
      token_type: 'Bearer',
      aud: ISSUER,
      iss: ISSUER,
    })
  })

  it('describes a JWT access token with its claims, jti included', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).useAccessTokenJwks(true).build()
    const tokens = await authorize(provider)
    const claims = decodeJwt(tokens.access_token)
    expect(await introspect(provider, tokens.access_token)).toEqual({
      active: true,
      scope: 'read write',
      client_id: 'app',
      sub: 'alice',
      exp: claims.exp,
      iat: claims.iat,
      token_type: 'Bearer',
      aud: ISSUER,
      iss: ISSUER,
      jti: claims.jti,
    })
  })

  it('describes a refresh token: active, scope, client_id, sub, exp, iat, iss', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).setRefreshTokenTtl(600, 3600).build()
    const tokens = await authorize(provider)
    const iat = Math.floor(clock.now() / 1000)
    expect(await introspect(provider, tokens.refresh_token!, APP, { token_type_hint: 'refresh_token' })).toEqual({
      active: true,
      scope: 'read write',
      client_id: 'app',
      sub: 'alice',
      exp: iat + 600,
      iat,
      iss: ISSUER,
    })
  })

  it('finds the token whatever the token_type_hint', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    expect(await introspect(provider, tokens.access_token, APP, { token_type_hint: 'refresh_token' })).toMatchObject({ active: true })
    expect(await introspect(provider, tokens.refresh_token!, APP, { token_type_hint: 'access_token' })).toMatchObject({ active: true })
    expect(await introspect(provider, tokens.access_token, APP, { token_type_hint: 'bogus' })).toMatchObject({ active: true })
  })

  it('is never cached (RFC 7662 §4)', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    const response = await postForm(provider, '/oauth2/introspect', { token: tokens.access_token }, APP)
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' })
  })
})

describe('RFC 7662 §2.2 an inactive token is { "active": false } and nothing more', () => {
  it('reports an expired opaque access token inactive', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).setTokenTtl(60).build()
    const tokens = await authorize(provider)
    clock.advance(60 * SECOND)
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
  })

  it('reports an expired JWT access token inactive', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).setTokenTtl(60).useAccessTokenJwks(true).build()
    const tokens = await authorize(provider)
    clock.advance(61 * SECOND)
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
  })

  it('reports a revoked access token inactive', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    await revoke(provider, tokens.access_token)
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
  })

  it('reports a rotated refresh token inactive, and its successor active', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    const next = (await refresh(provider, tokens.refresh_token!)).json
    expect(await introspect(provider, tokens.refresh_token!)).toEqual({ active: false })
    expect(await introspect(provider, next['refresh_token'] as string)).toMatchObject({ active: true })
  })

  it('reports unknown, malformed and oversized tokens inactive', async () => {
    const provider = codeFlow(testClock()).build()
    for (const token of ['unknown', 'a.b.c', 'x'.repeat(9000), 'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.']) {
      expect(await introspect(provider, token)).toEqual({ active: false })
    }
  })

  it('reports a JWT signed by another key inactive, even with a recorded jti', async () => {
    const provider = codeFlow(testClock()).useAccessTokenJwks(true).build()
    const tokens = await authorize(provider)
    const claims = decodeJwt(tokens.access_token)
    const { privateKey } = await generateKeyPair('RS256')
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'forged' }).sign(privateKey)
    expect(await introspect(provider, forged)).toEqual({ active: false })
  })

  it('reports a JWT that is not an access token (an ID token, typ JWT) inactive', async () => {
    const provider = codeFlow(testClock()).useAccessTokenJwks(true).build()
    const tokens = await authorize(provider, APP, 'code-openid+read')
    expect(tokens.id_token).toBeTypeOf('string')
    expect(await introspect(provider, tokens.id_token!)).toEqual({ active: false })
  })

  it('reports the token of another client inactive to that client', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    expect(await introspect(provider, tokens.access_token, OTHER)).toEqual({ active: false })
    expect(await introspect(provider, tokens.refresh_token!, OTHER)).toEqual({ active: false })
  })
})

describe('RFC 7662 §4 who may introspect what', () => {
  it('lets a resource server introspect the access tokens whose aud names it', async () => {
    const provider = codeFlow(testClock()).setAccessTokenAudience(['https://api.example.com', 'api']).build()
    const tokens = await authorize(provider)
    expect(await introspect(provider, tokens.access_token, API)).toMatchObject({ active: true, client_id: 'app', aud: ['https://api.example.com', 'api'] })
    // A refresh token has no audience: only its own client sees it.
    expect(await introspect(provider, tokens.refresh_token!, API)).toEqual({ active: false })
  })

  it('applies canIntrospect(fn) instead of the default', async () => {
    const provider = codeFlow(testClock())
      .introspectionRoute((route) => route.canIntrospect((caller) => caller.clientId === 'api'))
      .build()
    const tokens = await authorize(provider)
    expect(await introspect(provider, tokens.access_token, API)).toMatchObject({ active: true, sub: 'alice' })
    expect(await introspect(provider, tokens.access_token, APP)).toEqual({ active: false })
  })
})

describe('RFC 7662 §2.1 only authenticated clients may introspect', () => {
  it('refuses a request without client authentication with 401 invalid_client', async () => {
    const provider = codeFlow(testClock()).build()
    const response = await postForm(provider, '/oauth2/introspect', { token: 'x' })
    expect(response.status).toBe(401)
    expect(response.json['error']).toBe('invalid_client')
    expect(response.headers['www-authenticate']).toBe(`Basic realm="${ISSUER}"`)
  })

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const provider = codeFlow(testClock()).build()
    const response = await postForm(provider, '/oauth2/introspect', { token: 'x' }, { authorization: basicAuth('app', 'nope') })
    expect(response.status).toBe(401)
    expect(response.json['error']).toBe('invalid_client')
  })

  it('refuses a public client (none), even though the token endpoint accepts it', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider, {}, 'code-', { client_id: 'spa' })
    const response = await postForm(provider, '/oauth2/introspect', { token: tokens.access_token, client_id: 'spa' })
    expect(response.status).toBe(401)
    expect(response.json['error']).toBe('invalid_client')
  })

  it('requires the token parameter', async () => {
    const provider = codeFlow(testClock()).build()
    const response = await postForm(provider, '/oauth2/introspect', {}, APP)
    expect(response.json).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: token.' })
  })

  it('requires POST with a form body', async () => {
    const provider = codeFlow(testClock()).build()
    const get = await provider.handle({ method: 'GET', url: `${INTROSPECT_URL}?token=x`, headers: APP })
    expect(get.status).toBe(405)
    const jsonBody = await provider.handle({ method: 'POST', url: INTROSPECT_URL, headers: { 'content-type': 'application/json', ...APP }, body: '{}' })
    expect(json(jsonBody)['error']).toBe('invalid_request')
    const repeated = await provider.handle({ method: 'POST', url: INTROSPECT_URL, headers: { 'content-type': FORM, ...APP }, body: 'token=a&token=b' })
    expect(json(repeated)['error']).toBe('invalid_request')
  })

  it('is not served without a client lookup, and asking for it then fails at build()', async () => {
    const builder = () =>
      OAuth2AuthorizationCodeBuilder.create()
        .setIssuer(ISSUER)
        .tokenRoute((route) => route.generateToken(() => null))
    const provider = builder().build()
    expect(provider.metadata()).not.toHaveProperty('introspection_endpoint')
    expect((await postForm(provider, '/oauth2/introspect', { token: 'x' }, APP)).status).toBe(404)
    expect(() => builder().introspectionRoute((route) => route.setPath('/introspect')).build()).toThrow(/introspectionRoute/)
  })
})

describe('RFC 8414 §2 introspection metadata and introspectionRoute', () => {
  it('advertises introspection_endpoint and its authentication methods (no none) in the discovery document', async () => {
    const provider = codeFlow(testClock()).build()
    expect(provider.metadata()).toMatchObject({ introspection_endpoint: INTROSPECT_URL, introspection_endpoint_auth_methods_supported: ['client_secret_basic'] })
    const document = json(await provider.handle({ method: 'GET', url: `${ISSUER}/.well-known/oauth-authorization-server`, headers: {} }))
    expect(document).toMatchObject({ introspection_endpoint: INTROSPECT_URL, introspection_endpoint_auth_methods_supported: ['client_secret_basic'] })
  })

  it('moves with setPath and disappears with disable', async () => {
    const moved = codeFlow(testClock()).introspectionRoute((route) => route.setPath('/introspect')).build()
    expect(moved.metadata()['introspection_endpoint']).toBe(`${ISSUER}/introspect`)
    expect((await postForm(moved, '/introspect', { token: 'x' }, APP)).json).toEqual({ active: false })
    const disabled = codeFlow(testClock()).introspectionRoute((route) => route.disable()).build()
    expect(disabled.metadata()).not.toHaveProperty('introspection_endpoint')
    expect((await postForm(disabled, '/oauth2/introspect', { token: 'x' }, APP)).status).toBe(404)
  })
})

describe('RFC 6749 §4.4 / RFC 9068 §2.2 the default client_credentials handler', () => {
  function clientCredentials(clock = testClock()) {
    return OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .findClient((id) => ({ ...CLIENTS, svc: { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'read write' } })[id])
      .setScopes({ read: 'Read', write: 'Write' })
  }
  const SVC = { authorization: basicAuth('svc', 'svc-secret') }

  it('issues an access token with sub = client_id and the requested scope, and no refresh token', async () => {
    const provider = clientCredentials().build()
    const response = await postToken(provider, { grant_type: 'client_credentials', scope: 'read' }, SVC)
    expect(response.status).toBe(200)
    expect(response.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' })
    expect(response.json).not.toHaveProperty('refresh_token')
    expect(await introspect(provider, response.json['access_token'] as string, SVC)).toMatchObject({ active: true, sub: 'svc', client_id: 'svc', scope: 'read' })
  })

  it('grants the client registered scope when none is requested', async () => {
    const provider = clientCredentials().build()
    const response = await postToken(provider, { grant_type: 'client_credentials' }, SVC)
    expect(response.json['scope']).toBe('read write')
  })

  it('grants of the registered scope only what the flow declares, all of it when it declares none (RFC 6749 §3.3 default scope)', async () => {
    const registered = { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'read  legacy write' }
    const base = () => OAuth2ClientCredentialsBuilder.create().setIssuer(ISSUER).findClient((id) => (id === 'svc' ? registered : undefined))
    const declared = await postToken(base().setScopes({ read: 'Read', write: 'Write' }).build(), { grant_type: 'client_credentials' }, SVC)
    expect(declared.json['scope']).toBe('read write')
    const undeclared = await postToken(base().build(), { grant_type: 'client_credentials' }, SVC)
    expect(undeclared.json['scope']).toBe('read legacy write')
  })

  it('signs RFC 9068 JWTs with sub = client_id when JWT access tokens are on', async () => {
    const provider = clientCredentials().useAccessTokenJwks(true).build()
    const response = await postToken(provider, { grant_type: 'client_credentials' }, SVC)
    expect(decodeJwt(response.json['access_token'] as string)).toMatchObject({ sub: 'svc', client_id: 'svc', scope: 'read write' })
  })

  it('refuses a wrong secret with invalid_client', async () => {
    const provider = clientCredentials().build()
    const response = await postToken(provider, { grant_type: 'client_credentials' }, { authorization: basicAuth('svc', 'wrong') })
    expect(response.status).toBe(401)
  })

  it('does not serve refresh_token (RFC 6749 §4.4.3)', async () => {
    const provider = clientCredentials().build()
    expect((await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'x' }, SVC)).json['error']).toBe('unsupported_grant_type')
  })

  it('needs a client lookup: build() says so', () => {
    expect(() => OAuth2ClientCredentialsBuilder.create().setIssuer(ISSUER).build()).toThrow(/findClient/)
  })
})
