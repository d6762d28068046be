import { describe, expect, it, vi, type Mock } from 'vitest'
import {
  ClientSecretBasic,
  MultipleFlowsBuilder,
  NoneAuthMethod,
  OAuth2AuthorizationCodeBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2DeviceAuthorizationBuilder,
  OAuth2ErrorCode,
  OAuth2TokenResponse,
  type GenerateToken,
  type OAuth2ACTokenParams,
  type OAuth2ClientCredentialsTokenParams,
  type OAuth2Request,
} from '@x/oauth2-core'
import { assertionParams, signClientAssertion } from '../fixtures/assertions.js'
import { clientKeyPair } from '../fixtures/keys.js'
import { basicAuth, FORM, ISSUER, json, postToken, TOKEN_URL, tokenRequest } from '../fixtures/request.js'

const RFC_6749_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'server_error',
])

type CcHandler = GenerateToken<OAuth2ClientCredentialsTokenParams>

function clientCredentials(
  handler: Mock<CcHandler> = vi.fn<CcHandler>(async () => new OAuth2TokenResponse({ access_token: 'at-1' }).setExpiresIn(3600)),
) {
  const provider = OAuth2ClientCredentialsBuilder.create()
    .setIssuer(ISSUER)
    .addClientAuthenticationMethod(new ClientSecretBasic())
    .tokenRoute((route) => route.generateToken(handler))
    .build()
  return { provider, handler }
}

const AUTH = { authorization: basicAuth('client-1', 'secret-1') }

describe('RFC 6749 §3.2 token endpoint request', () => {
  it('refuses every method but POST with 405 and an Allow header', async () => {
    const { provider } = clientCredentials()
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const result = await provider.handle({ ...tokenRequest({ grant_type: 'client_credentials' }, AUTH), method })
      expect(result.status).toBe(405)
      expect(result.headers['allow']).toBe('POST')
      expect(json(result)['error']).toBe('invalid_request')
    }
  })

  it('refuses a body that is not application/x-www-form-urlencoded', async () => {
    const { provider, handler } = clientCredentials()
    const result = await provider.handle({
      method: 'POST',
      url: TOKEN_URL,
      headers: { 'content-type': 'application/json', ...AUTH },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    })
    expect(result.status).toBe(400)
    expect(json(result)['error']).toBe('invalid_request')
    expect(handler).not.toHaveBeenCalled()
  })

  it('accepts a content type with a charset parameter', async () => {
    const { provider } = clientCredentials()
    const result = await provider.handle(
      tokenRequest({ grant_type: 'client_credentials' }, { ...AUTH, 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }),
    )
    expect(result.status).toBe(200)
  })

  it('accepts the body as URLSearchParams and headers as a Web Headers object', async () => {
    const { provider } = clientCredentials()
    const result = await provider.handle({
      method: 'post',
      url: TOKEN_URL,
      headers: new Headers({ 'Content-Type': FORM, Authorization: AUTH.authorization }),
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    })
    expect(result.status).toBe(200)
  })

  it('rejects a parameter included more than once (RFC 6749 §3.2)', async () => {
    const { provider, handler } = clientCredentials()
    const result = await provider.handle({
      method: 'POST',
      url: TOKEN_URL,
      headers: { 'content-type': FORM, ...AUTH },
      body: 'grant_type=client_credentials&scope=a&scope=b',
    })
    expect(result.status).toBe(400)
    expect(json(result)).toEqual({ error: 'invalid_request', error_description: "The parameter 'scope' is included more than once." })
    expect(handler).not.toHaveBeenCalled()
  })

  it('treats a parameter sent without a value as omitted (RFC 6749 §3.1)', async () => {
    const { provider, handler } = clientCredentials()
    const result = await provider.handle({ ...tokenRequest({}, AUTH), body: 'grant_type=client_credentials&scope=' })
    expect(result.status).toBe(200)
    expect(handler.mock.calls[0]![0]).not.toHaveProperty('scope')
  })

  it('ignores unrecognized parameters (RFC 6749 §3.1)', async () => {
    const { provider } = clientCredentials()
    const { status } = await postToken(provider, { grant_type: 'client_credentials', foo: 'bar', audience: 'x' }, AUTH)
    expect(status).toBe(200)
  })

  it('answers a missing grant_type with invalid_request', async () => {
    const { provider } = clientCredentials()
    const { status, json: body } = await postToken(provider, { scope: 'a' }, AUTH)
    expect(status).toBe(400)
    expect(body).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: grant_type.' })
  })

  it('answers an unknown grant_type with unsupported_grant_type', async () => {
    const { provider } = clientCredentials()
    const { status, json: body } = await postToken(provider, { grant_type: 'password', username: 'u', password: 'p' }, AUTH)
    expect(status).toBe(400)
    expect(body['error']).toBe('unsupported_grant_type')
  })

  it('answers a refresh_token grant on a client-credentials flow with unsupported_grant_type', async () => {
    const { provider } = clientCredentials()
    const { json: body } = await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'rt' }, AUTH)
    expect(body['error']).toBe('unsupported_grant_type')
  })

  it('answers an unknown path with an empty 404', async () => {
    const { provider } = clientCredentials()
    const result = await provider.handle(tokenRequest({ grant_type: 'client_credentials' }, AUTH, `${ISSUER}/other`))
    expect(result).toEqual({ status: 404, headers: {}, body: '' })
  })

  it('routes by path only: a relative URL is resolved against the issuer', async () => {
    const { provider } = clientCredentials()
    const result = await provider.handle(tokenRequest({ grant_type: 'client_credentials' }, AUTH, '/oauth2/token?x=1'))
    expect(result.status).toBe(200)
  })

  it('serves endpoints under the issuer path', async () => {
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer('https://as.example.com/tenant-a')
      .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' })))
      .build()
    expect((await provider.handle(tokenRequest({ grant_type: 'client_credentials' }, AUTH, 'https://as.example.com/tenant-a/oauth2/token'))).status).toBe(200)
    expect((await provider.handle(tokenRequest({ grant_type: 'client_credentials' }, AUTH, 'https://as.example.com/oauth2/token'))).status).toBe(404)
  })

  it('refuses a body over 64 KiB with 413 invalid_request', async () => {
    const { provider } = clientCredentials()
    const result = await provider.handle({ ...tokenRequest({}, AUTH), body: `grant_type=client_credentials&x=${'a'.repeat(70_000)}` })
    expect(result.status).toBe(413)
    expect(json(result)['error']).toBe('invalid_request')
  })
})

describe('RFC 6749 §5.1 successful response', () => {
  it('sends the token response as JSON with Cache-Control: no-store and Pragma: no-cache', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => new OAuth2TokenResponse({ access_token: 'at-1' }).setExpiresIn(60).setScope(['a', 'b'])))
    const result = await provider.handle(tokenRequest({ grant_type: 'client_credentials' }, AUTH))
    expect(result.status).toBe(200)
    expect(result.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' })
    expect(json(result)).toEqual({ access_token: 'at-1', token_type: 'Bearer', expires_in: 60, scope: 'a b' })
  })

  it('accepts a plain token body from the handler', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => ({ access_token: 'plain', token_type: 'Bearer', custom: 1 })))
    const { json: body } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(body).toEqual({ access_token: 'plain', token_type: 'Bearer', custom: 1 })
  })

  it('turns a token response without access_token into a 500 server_error and reports it', async () => {
    const onError = vi.fn()
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .onError(onError)
      .tokenRoute((route) => route.generateToken(() => ({ access_token: '', token_type: 'Bearer' })))
      .build()
    const { status, json: body, headers } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(status).toBe(500)
    expect(body['error']).toBe('server_error')
    expect(headers['cache-control']).toBe('no-store')
    expect(onError).toHaveBeenCalledOnce()
  })
})

describe('RFC 6749 §5.2 error response', () => {
  it('sends an error the handler returns with status 400 and no-store', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => ({ error: OAuth2ErrorCode.INVALID_SCOPE, error_description: 'Nope' })))
    const { status, json: body, headers } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(status).toBe(400)
    expect(body).toEqual({ error: 'invalid_scope', error_description: 'Nope' })
    expect(headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' })
  })

  it('sends invalid_client from the handler as 401 with WWW-Authenticate matching the Basic scheme the client used', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => ({ error: 'invalid_client' })))
    const { status, headers } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(status).toBe(401)
    expect(headers['www-authenticate']).toBe(`Basic realm="${ISSUER}"`)
  })

  it('turns null into a generic invalid_request', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => null))
    const { status, json: body } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(status).toBe(400)
    expect(body['error']).toBe('invalid_request')
  })

  it('keeps error_description within the RFC 6749 §5.2 character set', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => ({ error: 'invalid_grant', error_description: 'bad "token"\nline\\two é' })))
    const { json: body } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(body['error_description']).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/)
  })

  it('passes error_uri through', async () => {
    const { provider } = clientCredentials(vi.fn<CcHandler>(async () => ({ error: 'invalid_grant', error_uri: 'https://docs.example.com/errors' })))
    const { json: body } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(body).toEqual({ error: 'invalid_grant', error_uri: 'https://docs.example.com/errors' })
  })

  it('never reveals a thrown exception: 500 server_error, and the error goes to onError', async () => {
    const onError = vi.fn()
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .onError(onError)
      .tokenRoute((route) =>
        route.generateToken(() => {
          throw new Error('database password is hunter2')
        }),
      )
      .build()
    const request = tokenRequest({ grant_type: 'client_credentials' }, AUTH)
    const result = await provider.handle(request)
    expect(result.status).toBe(500)
    expect(result.body).not.toContain('hunter2')
    expect(json(result)['error']).toBe('server_error')
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'database password is hunter2' }), request)
  })

  it('survives a throwing onError hook', async () => {
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .onError(() => {
        throw new Error('logger down')
      })
      .tokenRoute((route) => route.generateToken(() => Promise.reject(new Error('boom'))))
      .build()
    const { status } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(status).toBe(500)
  })

  it('never rejects, even for requests that are not objects of the expected shape', async () => {
    const { provider } = clientCredentials()
    const odd = [
      { method: 'POST', url: TOKEN_URL, headers: null, body: null },
      { method: 42, url: TOKEN_URL, headers: {}, body: 7 },
      { method: 'POST', url: 'http://[bad', headers: {}, body: '' },
      { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM, authorization: ['Basic a', 'Basic b'] }, body: 'grant_type=client_credentials' },
    ] as unknown as OAuth2Request[]
    for (const request of odd) {
      const result = await provider.handle(request)
      expect(result.status).toBeLessThan(500)
      if (result.body !== '') expect(RFC_6749_ERROR_CODES.has(json(result)['error'] as string)).toBe(true)
    }
  })
})

describe('RFC 6749 §6 refresh_token grant', () => {
  function refreshable(builder: OAuth2AuthorizationCodeBuilder | OAuth2DeviceAuthorizationBuilder) {
    const handler = vi.fn(async ({ refreshToken }: { refreshToken: string }) =>
      refreshToken === 'good' ? new OAuth2TokenResponse({ access_token: 'fresh' }) : { error: 'invalid_grant' as const },
    )
    const provider = builder
      .setIssuer(ISSUER)
      .addClientAuthenticationMethod(new NoneAuthMethod())
      .refreshTokenRoute((route) => route.generateToken(handler))
      .build()
    return { provider, handler }
  }

  it.each([
    ['authorization code', () => OAuth2AuthorizationCodeBuilder.create()],
    ['device authorization', () => OAuth2DeviceAuthorizationBuilder.create()],
  ])('works on the %s builder', async (_name, create) => {
    const { provider, handler } = refreshable(create())
    const ok = await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'good', client_id: 'app', scope: 'a b' })
    expect(ok.status).toBe(200)
    expect(handler.mock.calls[0]![0]).toMatchObject({ grantType: 'refresh_token', clientId: 'app', refreshToken: 'good', scope: 'a b', scopes: ['a', 'b'], ttl: 3600, tokenType: 'Bearer' })
    const bad = await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'bad', client_id: 'app' })
    expect(bad.json['error']).toBe('invalid_grant')
  })

  it('requires refresh_token', async () => {
    const { provider, handler } = refreshable(OAuth2AuthorizationCodeBuilder.create())
    const { json: body } = await postToken(provider, { grant_type: 'refresh_token', client_id: 'app' })
    expect(body).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: refresh_token.' })
    expect(handler).not.toHaveBeenCalled()
  })

  it('rejects a malformed scope (RFC 6749 §3.3)', async () => {
    const { provider } = refreshable(OAuth2AuthorizationCodeBuilder.create())
    const { json: body } = await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'good', client_id: 'app', scope: 'a  b' })
    expect(body['error']).toBe('invalid_request')
  })

  it('serves refresh_token with the core default when no refresh route is configured: an unknown token is invalid_grant', async () => {
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .addClientAuthenticationMethod('none')
      .tokenRoute((route) => route.generateToken(() => null))
      .build()
    const { json: body } = await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'app' })
    expect(body['error']).toBe('invalid_grant')
  })
})

describe('RFC 6749 §3.3 scope', () => {
  it('refuses a scope the flow does not declare with invalid_scope', async () => {
    const handler = vi.fn(async () => new OAuth2TokenResponse({ access_token: 'x' }))
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .setScopes({ read: 'Read', write: 'Write' })
      .tokenRoute((route) => route.generateToken(handler))
      .build()
    expect((await postToken(provider, { grant_type: 'client_credentials', scope: 'read write' }, AUTH)).status).toBe(200)
    const { json: body } = await postToken(provider, { grant_type: 'client_credentials', scope: 'read admin' }, AUTH)
    expect(body['error']).toBe('invalid_scope')
    expect(handler).toHaveBeenCalledOnce()
  })
})

describe('RFC 6749 §4.1.3 authorization_code grant parameters', () => {
  const handler = vi.fn<GenerateToken<OAuth2ACTokenParams>>(async () => new OAuth2TokenResponse({ access_token: 'x' }))
  const provider = OAuth2AuthorizationCodeBuilder.create()
    .setIssuer(ISSUER)
    .addClientAuthenticationMethod('none')
    .tokenRoute((route) => route.generateToken(handler))
    .build()

  it('requires code', async () => {
    const { json: body } = await postToken(provider, { grant_type: 'authorization_code', client_id: 'app' })
    expect(body).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: code.' })
  })

  it('rejects a code_verifier that breaks RFC 7636 §4.1 syntax with invalid_request', async () => {
    const { json: body } = await postToken(provider, { grant_type: 'authorization_code', client_id: 'app', code: 'c', code_verifier: 'short' })
    expect(body['error']).toBe('invalid_request')
  })

  it('gives the handler code, redirectUri, codeVerifier and a constant-time verifyCodeVerifier that answers at once, as kaapi\'s (RFC 7636 §4.6: an un-awaited check must not pass)', async () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
    await postToken(provider, { grant_type: 'authorization_code', client_id: 'app', code: 'c1', redirect_uri: 'https://app/cb', code_verifier: verifier })
    const context = handler.mock.calls.at(-1)![0]
    expect(context).toMatchObject({ grantType: 'authorization_code', code: 'c1', redirectUri: 'https://app/cb', codeVerifier: verifier, clientId: 'app' })
    // RFC 7636 Appendix B test vector.
    expect(context.verifyCodeVerifier(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')).toBe(true)
    // A kaapi handler writes `if (!verifyCodeVerifier(...)) return { error: 'invalid_grant' }`: a promise there would read as a match.
    expect(context.verifyCodeVerifier(verifier, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN')).toBe(false)
  })
})

describe('MultipleFlowsBuilder: several flows behind one token endpoint', () => {
  const provider = MultipleFlowsBuilder.create()
    .setIssuer(ISSUER)
    .add(
      OAuth2AuthorizationCodeBuilder.create()
        .addClientAuthenticationMethod('none')
        .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'from-code' })))
        .refreshTokenRoute((route) => route.generateToken(({ refreshToken }) => (refreshToken === 'code-rt' ? new OAuth2TokenResponse({ access_token: 'code-refresh' }) : null))),
    )
    .add(
      OAuth2DeviceAuthorizationBuilder.create()
        .addClientAuthenticationMethod('none')
        .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'from-device' })))
        .refreshTokenRoute((route) => route.generateToken(({ refreshToken }) => (refreshToken === 'device-rt' ? new OAuth2TokenResponse({ access_token: 'device-refresh' }) : null))),
    )
    .add(
      OAuth2ClientCredentialsBuilder.create()
        .addClientAuthenticationMethod('client_secret_basic')
        .tokenRoute((route) => route.setPath('/ignored').generateToken(() => new OAuth2TokenResponse({ access_token: 'from-cc' }))),
    )
    .build()

  it('dispatches on grant_type to the flow that serves it', async () => {
    expect((await postToken(provider, { grant_type: 'authorization_code', code: 'c', client_id: 'a' })).json['access_token']).toBe('from-code')
    expect((await postToken(provider, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'd', client_id: 'a' })).json['access_token']).toBe('from-device')
    expect((await postToken(provider, { grant_type: 'client_credentials' }, AUTH)).json['access_token']).toBe('from-cc')
  })

  it('offers refresh_token to each flow in order until one answers', async () => {
    expect((await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'code-rt', client_id: 'a' })).json['access_token']).toBe('code-refresh')
    expect((await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'device-rt', client_id: 'a' })).json['access_token']).toBe('device-refresh')
    expect((await postToken(provider, { grant_type: 'refresh_token', refresh_token: 'other', client_id: 'a' })).json['error']).toBe('invalid_request')
  })

  it('applies each flow its own client authentication methods', async () => {
    const { status, json: body } = await postToken(provider, { grant_type: 'client_credentials', client_id: 'a' })
    expect(status).toBe(401)
    expect(body['error']).toBe('invalid_client')
  })
})

describe('build() configuration errors', () => {
  it('requires setIssuer: the issuer is never taken from the Host header', () => {
    expect(() => OAuth2ClientCredentialsBuilder.create().build()).toThrow(/setIssuer/)
  })

  it.each(['http://as.example.com', 'https://as.example.com?x=1', 'https://as.example.com#f', 'not a url'])('refuses the issuer %s (RFC 8414 §2)', (issuer) => {
    expect(() => OAuth2ClientCredentialsBuilder.create().setIssuer(issuer).build()).toThrow(TypeError)
  })

  it('accepts http on localhost for development', () => {
    expect(() => OAuth2ClientCredentialsBuilder.create().setIssuer('http://localhost:3000').tokenRoute((r) => r.generateToken(() => null)).build()).not.toThrow()
  })

  it('refuses an unknown client authentication method name', () => {
    expect(() => OAuth2ClientCredentialsBuilder.create().addClientAuthenticationMethod('tls_client_auth' as never)).toThrow(/Unknown client authentication method/)
  })

  it('refuses two endpoints on one path', () => {
    expect(() =>
      OAuth2ClientCredentialsBuilder.create()
        .setIssuer(ISSUER)
        .jwksRoute((r) => r.setPath('/oauth2/token'))
        .tokenRoute((r) => r.generateToken(() => null))
        .build(),
    ).toThrow(/share the path/)
  })
})

describe('MultipleFlowsBuilder with client assertions (RFC 7523 §3 jti single use)', () => {
  it('authenticates the client once, so a second flow reuses it instead of seeing a replayed jti', async () => {
    const key = await clientKeyPair('ES256')
    const clients = { app: { client_id: 'app', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, grant_types: ['refresh_token'] } }
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => clients[id as 'app'])
      .add(OAuth2AuthorizationCodeBuilder.create().addClientAuthenticationMethod('private_key_jwt').refreshTokenRoute((r) => r.generateToken(() => null)))
      .add(
        OAuth2DeviceAuthorizationBuilder.create()
          .addClientAuthenticationMethod('private_key_jwt')
          .refreshTokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'second-flow' }))),
      )
      .build()
    const assertion = await signClientAssertion({ alg: 'ES256', key: key.privateKey, clientId: 'app', now: Date.now() })
    const { status, json: body } = await postToken(provider, assertionParams(assertion, { grant_type: 'refresh_token', refresh_token: 'rt' }))
    expect(body).toEqual({ access_token: 'second-flow', token_type: 'Bearer' })
    expect(status).toBe(200)
  })
})

describe('MultipleFlowsBuilder with a shared JWKS', () => {
  it('gives every flow createJwtAccessToken when the combined builder serves the JWKS', async () => {
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .jwksRoute()
      .add(
        OAuth2ClientCredentialsBuilder.create().tokenRoute((r) =>
          r.generateToken(async ({ createJwtAccessToken }) => new OAuth2TokenResponse({ access_token: (await createJwtAccessToken!()).token })),
        ),
      )
      .build()
    const { status, json: body } = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    expect(status).toBe(200)
    expect(String(body['access_token']).split('.')).toHaveLength(3)
  })
})
