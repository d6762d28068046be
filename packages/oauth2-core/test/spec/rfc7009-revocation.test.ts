import { describe, expect, it } from 'vitest'
import { OAuth2AuthorizationCodeBuilder, OAuth2TokenResponse, type ClientMetadata } from '@x/oauth2-core'
import { JWT_BEARER, signClientAssertion } from '../fixtures/assertions.js'
import { clientKeyPair } from '../fixtures/keys.js'
import { basicAuth, FORM, ISSUER, json, testClock } from '../fixtures/request.js'
import { APP, authorize, CLIENTS, codeFlow, introspect, OTHER, postForm, refresh, revoke } from '../fixtures/token-management.js'

const REVOKE_URL = `${ISSUER}/oauth2/revoke`

describe('RFC 7009 §2.1 revoking a refresh token', () => {
  it('revokes the refresh token and every access token of its grant', async () => {
    const provider = codeFlow(testClock()).build()
    const first = await authorize(provider)
    const second = (await refresh(provider, first.refresh_token!)).json
    const response = await revoke(provider, second['refresh_token'] as string)
    expect(response.status).toBe(200)
    expect(response.body).toBe('')
    expect((await refresh(provider, second['refresh_token'] as string)).json['error']).toBe('invalid_grant')
    expect(await introspect(provider, first.access_token)).toEqual({ active: false })
    expect(await introspect(provider, second['access_token'] as string)).toEqual({ active: false })
  })

  it('leaves the other grants of the client alone', async () => {
    const provider = codeFlow(testClock()).build()
    const revoked = await authorize(provider)
    const kept = await authorize(provider)
    await revoke(provider, revoked.refresh_token!)
    expect(await introspect(provider, kept.access_token)).toMatchObject({ active: true })
    expect((await refresh(provider, kept.refresh_token!)).status).toBe(200)
  })
})

describe('RFC 7009 §2.1 revoking an access token', () => {
  it('revokes an opaque access token and only it: the refresh token keeps working', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    expect((await revoke(provider, tokens.access_token)).status).toBe(200)
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
    expect((await refresh(provider, tokens.refresh_token!)).status).toBe(200)
  })

  it('revokes a JWT access token (by its jti)', async () => {
    const provider = codeFlow(testClock()).useAccessTokenJwks(true).build()
    const tokens = await authorize(provider)
    expect(await introspect(provider, tokens.access_token)).toMatchObject({ active: true })
    await revoke(provider, tokens.access_token)
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
  })

  it('revokes a JWT access token a user handler signed with createJwtAccessToken', async () => {
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => CLIENTS[id])
      .useAccessTokenJwks(true)
      .tokenRoute((route) => route.generateToken(async ({ createJwtAccessToken }) => new OAuth2TokenResponse({ access_token: (await createJwtAccessToken!({ sub: 'alice' })).token })))
      .build()
    const tokens = await authorize(provider)
    expect(await introspect(provider, tokens.access_token)).toMatchObject({ active: true, sub: 'alice' })
    await revoke(provider, tokens.access_token)
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
  })
})

describe('RFC 7009 §2.1 token_type_hint', () => {
  it.each(['access_token', 'refresh_token', 'something_else'])('finds a refresh token whatever the hint (%s)', async (hint) => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    await revoke(provider, tokens.refresh_token!, APP, { token_type_hint: hint })
    expect((await refresh(provider, tokens.refresh_token!)).json['error']).toBe('invalid_grant')
  })

  it.each(['access_token', 'refresh_token', 'something_else'])('finds an access token whatever the hint (%s)', async (hint) => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    await revoke(provider, tokens.access_token, APP, { token_type_hint: hint })
    expect(await introspect(provider, tokens.access_token)).toEqual({ active: false })
  })
})

describe('RFC 7009 §2.2 response', () => {
  it('answers 200 for an unknown or malformed token', async () => {
    const provider = codeFlow(testClock()).build()
    for (const token of ['unknown', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJqdGkiOiJ4In0.', 'x'.repeat(9000)]) {
      const response = await revoke(provider, token)
      expect(response.status).toBe(200)
    }
  })

  it('answers 200 for a token already revoked', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    expect((await revoke(provider, tokens.refresh_token!)).status).toBe(200)
    expect((await revoke(provider, tokens.refresh_token!)).status).toBe(200)
  })

  it('does not revoke a token of another client, and answers 200 all the same (no oracle)', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    const foreign = await revoke(provider, tokens.refresh_token!, OTHER)
    const unknown = await revoke(provider, 'no-such-token', OTHER)
    expect(foreign).toEqual(unknown)
    expect(foreign.status).toBe(200)
    await revoke(provider, tokens.access_token, OTHER)
    expect(await introspect(provider, tokens.access_token)).toMatchObject({ active: true })
    expect((await refresh(provider, tokens.refresh_token!)).status).toBe(200)
  })

  it('is never cached', async () => {
    const provider = codeFlow(testClock()).build()
    const response = await revoke(provider, 'anything')
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' })
  })
})

describe('RFC 7009 §2.1 client authentication', () => {
  it('refuses a request without client authentication with invalid_client', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    const response = await revoke(provider, tokens.refresh_token!, {})
    expect(response.status).toBe(401)
    expect(response.json['error']).toBe('invalid_client')
    expect((await refresh(provider, tokens.refresh_token!)).status).toBe(200)
  })

  it('refuses a wrong secret with 401 invalid_client and a Basic challenge, and revokes nothing', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    const response = await revoke(provider, tokens.refresh_token!, { authorization: basicAuth('app', 'wrong') })
    expect(response.status).toBe(401)
    expect(response.json['error']).toBe('invalid_client')
    expect(response.headers['www-authenticate']).toBe(`Basic realm="${ISSUER}"`)
    expect((await refresh(provider, tokens.refresh_token!)).status).toBe(200)
  })

  it('lets a public client revoke its own tokens with its client_id', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider, {}, 'code-', { client_id: 'spa' })
    expect((await revoke(provider, tokens.refresh_token!, {}, { client_id: 'spa' })).status).toBe(200)
    expect((await refresh(provider, tokens.refresh_token!, {}, { client_id: 'spa' })).json['error']).toBe('invalid_grant')
  })

  it('refuses a confidential client the core cannot verify (no client lookup)', async () => {
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .tokenRoute((route) => route.generateToken(() => null))
      .build()
    const response = await revoke(provider, 'anything', { authorization: basicAuth('app', 'app-secret') })
    expect(response.status).toBe(401)
    expect(response.json['error']).toBe('invalid_client')
  })

  it('accepts a private_key_jwt assertion whose audience is the revocation endpoint', async () => {
    const clock = testClock()
    const key = await clientKeyPair('ES256')
    const clients: Record<string, ClientMetadata> = { ...CLIENTS, jwt: { client_id: 'jwt', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, grant_types: ['authorization_code', 'refresh_token'] } }
    const provider = codeFlow(clock)
      .findClient((id) => clients[id])
      .addClientAuthenticationMethod('private_key_jwt')
      .build()
    const assertion = (aud: string) => signClientAssertion({ alg: 'ES256', key: key.privateKey, clientId: 'jwt', now: clock.now(), aud })
    const tokens = await authorize(provider, {}, 'code-', { client_assertion_type: JWT_BEARER, client_assertion: await assertion(`${ISSUER}/oauth2/token`) })
    const response = await revoke(provider, tokens.refresh_token!, {}, { client_assertion_type: JWT_BEARER, client_assertion: await assertion(REVOKE_URL) })
    expect(response.status).toBe(200)
    expect((await refresh(provider, tokens.refresh_token!, {}, { client_assertion_type: JWT_BEARER, client_assertion: await assertion(`${ISSUER}/oauth2/token`) })).json['error']).toBe('invalid_grant')
  })
})

describe('RFC 7009 §2.1 request format', () => {
  it('requires the token parameter', async () => {
    const provider = codeFlow(testClock()).build()
    const response = await postForm(provider, '/oauth2/revoke', {}, APP)
    expect(response.status).toBe(400)
    expect(response.json).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: token.' })
  })

  it('requires an application/x-www-form-urlencoded body', async () => {
    const provider = codeFlow(testClock()).build()
    const result = await provider.handle({ method: 'POST', url: REVOKE_URL, headers: { 'content-type': 'application/json', ...APP }, body: '{"token":"x"}' })
    expect(result.status).toBe(400)
    expect(json(result)['error']).toBe('invalid_request')
  })

  it('rejects a repeated parameter with invalid_request', async () => {
    const provider = codeFlow(testClock()).build()
    const result = await provider.handle({ method: 'POST', url: REVOKE_URL, headers: { 'content-type': FORM, ...APP }, body: 'token=a&token=b' })
    expect(json(result)['error']).toBe('invalid_request')
  })

  it('answers another method with 405 and Allow: POST', async () => {
    const provider = codeFlow(testClock()).build()
    const result = await provider.handle({ method: 'GET', url: REVOKE_URL, headers: {} })
    expect(result.status).toBe(405)
    expect(result.headers['allow']).toBe('POST')
  })
})

describe('RFC 8414 §2 revocation metadata and revocationRoute', () => {
  it('advertises revocation_endpoint and its authentication methods in the discovery document', async () => {
    const provider = codeFlow(testClock()).build()
    expect(provider.metadata()).toMatchObject({
      revocation_endpoint: REVOKE_URL,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'none'],
    })
    const document = json(await provider.handle({ method: 'GET', url: `${ISSUER}/.well-known/oauth-authorization-server`, headers: {} }))
    expect(document).toMatchObject({ revocation_endpoint: REVOKE_URL, revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'none'] })
  })

  it('advertises the signing algorithms of JWT client authentication', () => {
    const provider = codeFlow(testClock()).addClientAuthenticationMethod('private_key_jwt').build()
    expect(provider.metadata()['revocation_endpoint_auth_signing_alg_values_supported']).toEqual(expect.arrayContaining(['ES256', 'RS256']))
  })

  it('moves with setPath and disappears with disable', async () => {
    const moved = codeFlow(testClock()).revocationRoute((route) => route.setPath('/revoke')).build()
    expect(moved.metadata()['revocation_endpoint']).toBe(`${ISSUER}/revoke`)
    expect((await postForm(moved, '/revoke', { token: 'x' }, APP)).status).toBe(200)
    const disabled = codeFlow(testClock()).revocationRoute((route) => route.disable()).build()
    expect(disabled.metadata()).not.toHaveProperty('revocation_endpoint')
    expect((await postForm(disabled, '/oauth2/revoke', { token: 'x' }, APP)).status).toBe(404)
  })
})
