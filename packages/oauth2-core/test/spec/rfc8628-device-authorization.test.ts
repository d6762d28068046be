import { describe, expect, it, vi } from 'vitest'
import {
  MultipleFlowsBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2DeviceAuthorizationBuilder,
  OAuth2TokenResponse,
  OIDCDeviceAuthorizationBuilder,
  type ClientMetadata,
  type DeviceCodeGenerator,
} from '@x/oauth2-core'
import { DEVICE_GRANT, DEVICE_URL, deviceFlowProvider, type DeviceFlowProviderOptions } from '../fixtures/device-flow.js'
import { basicAuth, FORM, ISSUER, json, tokenRequest } from '../fixtures/request.js'

const USER_CODE_FORMAT = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/

const clients: Record<string, ClientMetadata> = {
  tv: { client_id: 'tv', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT] },
  console: { client_id: 'console', client_secret: 'console-secret', grant_types: [DEVICE_GRANT, 'refresh_token'], scope: 'profile' },
  web: { client_id: 'web', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] },
}

const deviceProvider = (configure?: DeviceFlowProviderOptions['configure']) => deviceFlowProvider(clients, configure !== undefined ? { configure } : {})

function deviceRequest(params: Record<string, string>, headers: Record<string, string> = {}, url = DEVICE_URL) {
  return tokenRequest(params, headers, url)
}

describe('RFC 8628 §3.1 device authorization request', () => {
  it('answers only POST, with 405 and an Allow header otherwise', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle({ ...deviceRequest({ client_id: 'tv' }), method: 'GET' })
    expect(result.status).toBe(405)
    expect(result.headers['allow']).toBe('POST')
    expect(result.headers['cache-control']).toBe('no-store')
  })

  it('requires application/x-www-form-urlencoded', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle({ method: 'POST', url: DEVICE_URL, headers: { 'content-type': 'application/json' }, body: '{"client_id":"tv"}' })
    expect(result.status).toBe(400)
    expect(json(result)['error']).toBe('invalid_request')
  })

  it('refuses a parameter included more than once', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle({ method: 'POST', url: DEVICE_URL, headers: { 'content-type': FORM }, body: 'client_id=tv&scope=profile&scope=profile' })
    expect(json(result)['error']).toBe('invalid_request')
  })

  it('identifies a public client by client_id (RFC 6749 §2.3 none)', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'tv' }))
    expect(result.status).toBe(200)
  })

  it('requires client authentication: no client_id is invalid_client', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ scope: 'profile' }))
    expect(result.status).toBe(401)
    expect(json(result)).toMatchObject({ error: 'invalid_client' })
    expect(typeof json(result)['error_description']).toBe('string')
    expect(json(result)).not.toHaveProperty('errorMessage')
  })

  it('authenticates a confidential client as the token endpoint does (RFC 8628 §3.1, RFC 6749 §3.2.1)', async () => {
    const { provider } = deviceProvider()
    const ok = await provider.handle(deviceRequest({ scope: 'profile' }, { authorization: basicAuth('console', 'console-secret') }))
    expect(ok.status).toBe(200)
    const bad = await provider.handle(deviceRequest({ scope: 'profile' }, { authorization: basicAuth('console', 'wrong') }))
    expect(bad.status).toBe(401)
    expect(bad.headers['www-authenticate']).toMatch(/^Basic realm=/)
    expect(json(bad)['error']).toBe('invalid_client')
  })

  it('refuses a client that presents no credentials though it registered a secret', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'console' }))
    expect(json(result)['error']).toBe('invalid_client')
  })

  it('refuses a method the flow does not allow', async () => {
    const { provider } = deviceProvider((b) => b)
    const only = OAuth2DeviceAuthorizationBuilder.create().setIssuer(ISSUER).findClient((id) => clients[id]).addClientAuthenticationMethod('client_secret_basic').build()
    expect(json(await only.handle(deviceRequest({ client_id: 'tv' })))['error']).toBe('invalid_client')
    expect((await provider.handle(deviceRequest({ client_id: 'tv' }))).status).toBe(200)
  })

  it('refuses a client not registered for the device grant with unauthorized_client', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'web' }))
    expect(result.status).toBe(400)
    expect(json(result)['error']).toBe('unauthorized_client')
  })

  it('refuses confidential credentials it cannot verify (no client lookup)', async () => {
    const provider = OAuth2DeviceAuthorizationBuilder.create().setIssuer(ISSUER).addClientAuthenticationMethod('client_secret_basic').build()
    const result = await provider.handle(deviceRequest({}, { authorization: basicAuth('anyone', 'anything') }))
    expect(result.status).toBe(401)
    expect(json(result)['error']).toBe('invalid_client')
  })

  it('refuses an undeclared scope with invalid_scope (RFC 6749 §3.3)', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'tv', scope: 'profile admin' }))
    expect(result.status).toBe(400)
    expect(json(result)).toEqual({ error: 'invalid_scope', error_description: 'Unknown scope: admin.' })
  })

  it('refuses a scope the client did not register with invalid_scope', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ scope: 'profile offline_access' }, { authorization: basicAuth('console', 'console-secret') }))
    expect(json(result)['error']).toBe('invalid_scope')
  })

  it('refuses a malformed scope with invalid_request', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'tv', scope: 'profile  offline_access' }))
    expect(json(result)['error']).toBe('invalid_request')
  })

  it('ignores unrecognized parameters (RFC 6749 §3.1)', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'tv', foo: 'bar' }))
    expect(result.status).toBe(200)
  })
})

describe('RFC 8628 §3.2 device authorization response', () => {
  it('returns device_code, user_code, verification_uri, verification_uri_complete, expires_in and interval, never cached', async () => {
    const { provider } = deviceProvider()
    const result = await provider.handle(deviceRequest({ client_id: 'tv', scope: 'profile' }))
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(result.headers['pragma']).toBe('no-cache')
    expect(result.headers['content-type']).toMatch(/^application\/json/)
    const body = json(result)
    expect(Object.keys(body).sort()).toEqual(['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete'])
    expect(body['verification_uri']).toBe(`${ISSUER}/oauth2/device`)
    expect(body['verification_uri_complete']).toBe(`${ISSUER}/oauth2/device?user_code=${body['user_code'] as string}`)
    expect(body['expires_in']).toBe(600)
    expect(body['interval']).toBe(5)
  })

  it('issues a high-entropy device code, fresh on every request (RFC 8628 §5.2)', async () => {
    const { provider } = deviceProvider()
    const codes = new Set<string>()
    for (let i = 0; i < 20; i++) codes.add(json(await provider.handle(deviceRequest({ client_id: 'tv' })))['device_code'] as string)
    expect(codes.size).toBe(20)
    for (const code of codes) expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('issues user codes of 8 unambiguous consonants shown as XXXX-XXXX (RFC 8628 §6.1)', async () => {
    const { provider } = deviceProvider()
    const codes = new Set<string>()
    for (let i = 0; i < 50; i++) codes.add(json(await provider.handle(deviceRequest({ client_id: 'tv' })))['user_code'] as string)
    expect(codes.size).toBe(50)
    for (const code of codes) expect(code).toMatch(USER_CODE_FORMAT)
  })

  it('announces the configured lifetime and polling interval', async () => {
    const { provider } = deviceProvider((b) => b.setDeviceCodeTtl(900).setPollingInterval(8))
    const body = json(await provider.handle(deviceRequest({ client_id: 'tv' })))
    expect(body['expires_in']).toBe(900)
    expect(body['interval']).toBe(8)
  })

  it('serves kaapi’s /oauth2/devicecode as a configured path', async () => {
    const { provider } = deviceProvider((b) => b.authorizationRoute((r) => r.setPath('/oauth2/devicecode')))
    expect((await provider.handle(deviceRequest({ client_id: 'tv' }, {}, `${ISSUER}/oauth2/devicecode`))).status).toBe(200)
    expect((await provider.handle(deviceRequest({ client_id: 'tv' }))).status).toBe(404)
  })

  it('lives under the issuer’s path', async () => {
    const provider = OAuth2DeviceAuthorizationBuilder.create().setIssuer(`${ISSUER}/tenant`).addClientAuthenticationMethod('none').build()
    const result = await provider.handle(deviceRequest({ client_id: 'tv' }, {}, `${ISSUER}/tenant/oauth2/device_authorization`))
    expect(json(result)['verification_uri']).toBe(`${ISSUER}/tenant/oauth2/device`)
  })

  it('lets only the client of setClientId use the endpoint (kaapi’s setClientId)', async () => {
    const { provider } = deviceProvider((b) => b.authorizationRoute((r) => r.setClientId('console')))
    const result = await provider.handle(deviceRequest({ client_id: 'tv' }))
    expect(json(result)['error']).toBe('unauthorized_client')
  })

  it('refuses bad builder values with a message saying how to fix them', () => {
    expect(() => OAuth2DeviceAuthorizationBuilder.create().setPollingInterval(0)).toThrow(/setPollingInterval/)
    expect(() => OAuth2DeviceAuthorizationBuilder.create().setDeviceCodeTtl(1.5)).toThrow(/setDeviceCodeTtl/)
    expect(() => OAuth2DeviceAuthorizationBuilder.create().authorizationRoute((r) => r.setPath('no-slash'))).toThrow(/must start with/)
  })
})

describe('kaapi generateCode: the user issues the codes', () => {
  const response = {
    device_code: 'dev-123',
    user_code: 'XYZ-789',
    verification_uri: 'https://auth.example.com/activate',
    verification_uri_complete: 'https://auth.example.com/activate?user_code=XYZ-789',
    expires_in: 1800,
    interval: 5,
  }

  function withGenerator(generateCode: DeviceCodeGenerator, onError = vi.fn()) {
    const provider = OAuth2DeviceAuthorizationBuilder.create()
      .setIssuer(ISSUER)
      .onError(onError)
      .addClientAuthenticationMethod('none')
      .setScopes({ profile: 'Your profile' })
      .authorizationRoute((r) => r.generateCode(generateCode))
      .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'from-handler' })))
      .build()
    return { provider, onError }
  }

  it('sends what generateCode returns, never cached, after client authentication and scope checks', async () => {
    const generateCode = vi.fn<DeviceCodeGenerator>(() => response)
    const { provider } = withGenerator(generateCode)
    const result = await provider.handle(deviceRequest({ client_id: 'tv', scope: 'profile' }))
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(json(result)).toEqual(response)
    expect(generateCode.mock.calls[0]![0]).toMatchObject({ clientId: 'tv', scope: 'profile', scopes: ['profile'], clientAuthMethod: 'none' })
    expect((await provider.handle(deviceRequest({ client_id: 'tv', scope: 'admin' }))).status).toBe(400)
    expect(generateCode).toHaveBeenCalledOnce()
  })

  it('turns null into invalid_client with error_description, not kaapi’s errorMessage', async () => {
    const { provider } = withGenerator(() => null)
    const result = await provider.handle(deviceRequest({ client_id: 'tv' }))
    expect(result.status).toBe(400)
    expect(json(result)).toEqual({ error: 'invalid_client', error_description: 'The client is not allowed to start a device authorization.' })
  })

  it('sends an error generateCode returns as RFC 6749 §5.2 says', async () => {
    const { provider } = withGenerator(() => ({ error: 'invalid_scope', error_description: 'No "profile" for you' }))
    const result = await provider.handle(deviceRequest({ client_id: 'tv' }))
    expect(result.status).toBe(400)
    expect(json(result)).toEqual({ error: 'invalid_scope', error_description: "No 'profile' for you" })
  })

  it('turns a malformed response into a 500 server_error reported to onError', async () => {
    const { provider, onError } = withGenerator(() => ({ ...response, expires_in: -1 }))
    const result = await provider.handle(deviceRequest({ client_id: 'tv' }))
    expect(result.status).toBe(500)
    expect(json(result)['error']).toBe('server_error')
    expect(onError).toHaveBeenCalledOnce()
  })

  it('serves no verification page for codes it did not issue', async () => {
    const { provider } = withGenerator(() => response)
    expect(provider.hasRoute('/oauth2/device')).toBe(false)
  })

  it('refuses at build() a generateCode without a token handler', () => {
    const builder = OAuth2DeviceAuthorizationBuilder.create().setIssuer(ISSUER).authorizationRoute((r) => r.generateCode(() => response))
    expect(() => builder.build()).toThrow(/tokenRoute/)
  })
})

describe('RFC 8628 §4 device authorization server metadata', () => {
  it('lists device_authorization_endpoint and the device_code grant type', async () => {
    const { provider } = deviceProvider()
    const metadata = provider.metadata()
    expect(metadata['device_authorization_endpoint']).toBe(DEVICE_URL)
    expect(metadata['grant_types_supported']).toContain(DEVICE_GRANT)
    const served = json(await provider.handle({ method: 'GET', url: `${ISSUER}/.well-known/oauth-authorization-server`, headers: {} }))
    expect(served['device_authorization_endpoint']).toBe(DEVICE_URL)
  })

  it('lists them in the OpenID Connect discovery document of the OIDC variant', async () => {
    const provider = OIDCDeviceAuthorizationBuilder.create().setIssuer(ISSUER).addClientAuthenticationMethod('none').build()
    const served = json(await provider.handle({ method: 'GET', url: `${ISSUER}/.well-known/openid-configuration`, headers: {} }))
    expect(served['device_authorization_endpoint']).toBe(DEVICE_URL)
    expect(served['grant_types_supported']).toContain(DEVICE_GRANT)
  })

  it('keeps the device flow beside other flows in MultipleFlowsBuilder', async () => {
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .add(OAuth2DeviceAuthorizationBuilder.create().addClientAuthenticationMethod('none'))
      .add(OAuth2ClientCredentialsBuilder.create().tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' }))))
      .build()
    expect(provider.metadata()['device_authorization_endpoint']).toBe(DEVICE_URL)
    expect((await provider.handle(deviceRequest({ client_id: 'tv' }))).status).toBe(200)
  })
})
