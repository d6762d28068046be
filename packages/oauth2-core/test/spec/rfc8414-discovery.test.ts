import { describe, expect, it } from 'vitest'
import {
  MultipleFlowsBuilder,
  OAuth2AuthorizationCodeBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
  OIDCClientCredentialsBuilder,
  oauthMetadataPathname,
  openidConfigurationPathname,
  type OAuth2Provider,
} from '@x/oauth2-core'
import { codeFlowProvider } from '../fixtures/authorization.js'
import { ISSUER, json } from '../fixtures/request.js'

async function fetchJson(provider: OAuth2Provider, url: string) {
  const result = await provider.handle({ method: 'GET', url, headers: {} })
  return { result, body: result.status === 200 ? json(result) : {} }
}

const OAUTH_METADATA = `${ISSUER}/.well-known/oauth-authorization-server`
const OPENID_CONFIGURATION = `${ISSUER}/.well-known/openid-configuration`

describe('RFC 8414 §3 authorization server metadata request', () => {
  it('serves /.well-known/oauth-authorization-server as JSON, cacheable, readable cross-origin', async () => {
    const { provider } = codeFlowProvider({ oidc: false })
    const { result, body } = await fetchJson(provider, OAUTH_METADATA)
    expect(result.status).toBe(200)
    expect(result.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(result.headers['cache-control']).toMatch(/^public, max-age=\d+$/)
    expect(result.headers['access-control-allow-origin']).toBe('*')
    expect(body['issuer']).toBe(ISSUER)
  })

  it('inserts the well-known segment before the issuer path (RFC 8414 §3.1)', async () => {
    const issuer = 'https://example.com/auth'
    expect(oauthMetadataPathname(issuer)).toBe('/.well-known/oauth-authorization-server/auth')
    expect(openidConfigurationPathname(issuer)).toBe('/auth/.well-known/openid-configuration')
    const { provider } = codeFlowProvider({ issuer })
    const oauth = await fetchJson(provider, 'https://example.com/.well-known/oauth-authorization-server/auth')
    expect(oauth.body['issuer']).toBe(issuer)
    expect(oauth.body['authorization_endpoint']).toBe('https://example.com/auth/oauth2/authorize')
    expect(oauth.body['token_endpoint']).toBe('https://example.com/auth/oauth2/token')
    expect(oauth.body['jwks_uri']).toBe('https://example.com/auth/oauth2/keys')
    expect(oauth.body['userinfo_endpoint']).toBe('https://example.com/auth/oauth2/userinfo')
    // OIDC Discovery §4: issuer + /.well-known/openid-configuration.
    const oidc = await fetchJson(provider, 'https://example.com/auth/.well-known/openid-configuration')
    expect(oidc.body['issuer']).toBe(issuer)
    // Every advertised endpoint is served.
    for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
      expect(provider.hasRoute(new URL(oauth.body[name] as string).pathname)).toBe(true)
    }
  })

  it('serves the same document as provider.metadata(), REQUIRED fields included (RFC 8414 §2, OIDC Discovery §3)', async () => {
    const { provider } = codeFlowProvider()
    const metadata = provider.metadata()
    expect(metadata).toMatchObject({ subject_types_supported: ['public'], response_types_supported: ['code'] })
    expect((await fetchJson(provider, OAUTH_METADATA)).body).toEqual(JSON.parse(JSON.stringify(metadata)))
    expect((await fetchJson(provider, OPENID_CONFIGURATION)).body).toEqual(JSON.parse(JSON.stringify(metadata)))
    // Without an authorization endpoint, response_types_supported is REQUIRED all the same: empty.
    const clientCredentials = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .findClient(() => undefined)
      .build()
    expect(clientCredentials.metadata()['response_types_supported']).toEqual([])
    expect((await fetchJson(clientCredentials, OAUTH_METADATA)).body).toEqual(JSON.parse(JSON.stringify(clientCredentials.metadata())))
  })
})

describe('RFC 8414 §2 authorization server metadata, generated from the configuration', () => {
  it('lists every endpoint and capability of an authorization code server', async () => {
    const { provider } = codeFlowProvider({ oidc: false })
    const { body } = await fetchJson(provider, OAUTH_METADATA)
    expect(body).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth2/authorize`,
      token_endpoint: `${ISSUER}/oauth2/token`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    })
    expect(body['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
    expect(body['token_endpoint_auth_methods_supported']).toEqual(expect.arrayContaining(['client_secret_basic', 'none']))
    expect(body['scopes_supported']).toEqual(['profile', 'email', 'offline_access'])
  })

  it('lists the signing algorithms of the JWT client authentication methods', async () => {
    const { provider } = codeFlowProvider({ oidc: false, builder: (b) => b.addClientAuthenticationMethod('private_key_jwt') })
    const { body } = await fetchJson(provider, OAUTH_METADATA)
    expect(body['token_endpoint_auth_methods_supported']).toContain('private_key_jwt')
    expect(body['token_endpoint_auth_signing_alg_values_supported']).toEqual(expect.arrayContaining(['RS256', 'ES256']))
  })

  it('advertises no authorization endpoint where there is none', async () => {
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' })))
      .build()
    const { body } = await fetchJson(provider, OAUTH_METADATA)
    expect(body['authorization_endpoint']).toBeUndefined()
    expect(body['grant_types_supported']).toEqual(['client_credentials'])
    // REQUIRED (RFC 8414 §2), empty without an authorization endpoint.
    expect(body['response_types_supported']).toEqual([])
  })

  it('merges additionalConfiguration over the generated fields, resolving relative endpoint URLs against the issuer', async () => {
    const { provider } = codeFlowProvider({
      oidc: false,
      builder: (b) =>
        b
          .additionalConfiguration({ service_documentation: 'https://docs.example.com', end_session_endpoint: '/logout' })
          .additionalConfiguration({ ui_locales_supported: ['en', 'fr'], issuer: 'https://evil.example' }),
    })
    const { body } = await fetchJson(provider, OAUTH_METADATA)
    expect(body['service_documentation']).toBe('https://docs.example.com')
    expect(body['end_session_endpoint']).toBe(`${ISSUER}/logout`)
    expect(body['ui_locales_supported']).toEqual(['en', 'fr'])
    // RFC 8414 §3.3: the issuer MUST be identical to the configured one.
    expect(body['issuer']).toBe(ISSUER)
  })

  it('serves no OpenID configuration for a plain OAuth 2.0 server', async () => {
    const { provider } = codeFlowProvider({ oidc: false })
    expect((await fetchJson(provider, OPENID_CONFIGURATION)).result.status).toBe(404)
  })
})

describe('OpenID Connect Discovery §3 provider metadata', () => {
  it('serves /.well-known/openid-configuration with the fields an OpenID Provider must publish', async () => {
    const { provider } = codeFlowProvider()
    const { result, body } = await fetchJson(provider, OPENID_CONFIGURATION)
    expect(result.status).toBe(200)
    expect(body).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/oauth2/authorize`,
      token_endpoint: `${ISSUER}/oauth2/token`,
      userinfo_endpoint: `${ISSUER}/oauth2/userinfo`,
      jwks_uri: `${ISSUER}/oauth2/keys`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      request_uri_parameter_supported: false,
      request_parameter_supported: false,
      claims_parameter_supported: false,
    })
    expect(body['id_token_signing_alg_values_supported']).toContain('RS256')
    expect(body['scopes_supported']).toEqual(expect.arrayContaining(['openid', 'profile', 'email']))
    expect(body['claims_supported']).toEqual(expect.arrayContaining(['sub', 'iss', 'auth_time', 'nonce', 'name', 'email', 'email_verified']))
    expect(body['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
    expect(body['prompt_values_supported']).toEqual(expect.arrayContaining(['none', 'login', 'consent']))
  })

  it('publishes the required fields for an OpenID Provider without an authorization endpoint', async () => {
    const provider = OIDCClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' })))
      .build()
    const { body } = await fetchJson(provider, OPENID_CONFIGURATION)
    expect(body['subject_types_supported']).toEqual(['public'])
    expect(body['id_token_signing_alg_values_supported']).toContain('RS256')
    expect(body['response_types_supported']).toEqual([])
  })

  it('keeps the kaapi token-only flow (no authorizationRoute) without an authorization endpoint', async () => {
    const provider = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' })))
      .build()
    const { body } = await fetchJson(provider, OPENID_CONFIGURATION)
    expect(body['authorization_endpoint']).toBeUndefined()
    expect(body['grant_types_supported']).toContain('authorization_code')
  })
})

describe('MultipleFlowsBuilder: one document and one set of routes', () => {
  it('merges every flow into one metadata document', async () => {
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .findClient(() => undefined)
      .additionalConfiguration({ op_policy_uri: 'https://example.com/policy' })
      .add(
        OIDCAuthorizationCodeBuilder.create()
          .setScopes({ profile: 'Profile' })
          .additionalConfiguration({ service_documentation: 'https://docs.example.com' })
          .authorizationRoute((r) => r.authenticateUser(() => null)),
      )
      .add(
        OAuth2ClientCredentialsBuilder.create()
          .setScopes({ 'api:read': 'Read the API' })
          .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'x' }))),
      )
      .build()
    const oidc = await fetchJson(provider, OPENID_CONFIGURATION)
    const oauth = await fetchJson(provider, OAUTH_METADATA)
    expect(oidc.body).toEqual(oauth.body)
    expect(oidc.body['grant_types_supported']).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']))
    expect(oidc.body['scopes_supported']).toEqual(expect.arrayContaining(['openid', 'profile', 'api:read']))
    expect(oidc.body['service_documentation']).toBe('https://docs.example.com')
    expect(oidc.body['op_policy_uri']).toBe('https://example.com/policy')
    expect(oidc.body['authorization_endpoint']).toBe(`${ISSUER}/oauth2/authorize`)
    const paths = provider.routes.map((r) => r.pathname)
    expect(new Set(paths).size).toBe(paths.length)
    expect(paths).toEqual(expect.arrayContaining(['/oauth2/token', '/oauth2/authorize', '/oauth2/userinfo', '/.well-known/openid-configuration']))
  })

  it('serves one UserInfo endpoint for several OpenID Connect flows', () => {
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .findClient(() => undefined)
      .add(OIDCAuthorizationCodeBuilder.create().authorizationRoute((r) => r.authenticateUser(() => null)))
      .add(OAuth2AuthorizationCodeBuilder.create().strategyName('second').userInfo(() => ({})).tokenRoute((r) => r.generateToken(() => null)))
      .build()
    expect(provider.routes.filter((r) => r.pathname === '/oauth2/userinfo')).toHaveLength(1)
  })
})
