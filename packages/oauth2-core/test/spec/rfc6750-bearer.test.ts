import { SignJWT, generateKeyPair, decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { MemoryStore, OAuth2ClientCredentialsBuilder, OAuth2TokenResponse, type OAuth2Provider, type ResourceAuthentication } from '@x/oauth2-core'
import { basicAuth, FORM, ISSUER, postToken, testClock } from '../fixtures/request.js'

const AUTH = { authorization: basicAuth('client-1', 'secret-1') }
const REALM = `Bearer realm="${ISSUER}"`

type Clock = ReturnType<typeof testClock>

/** A client_credentials provider issuing recorded RFC 9068 access tokens, all of grant `grant-1`. */
function resourceProvider(clock: Clock, store = new MemoryStore({ now: clock.now }), onError?: (error: unknown) => void): OAuth2Provider {
  const builder = OAuth2ClientCredentialsBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .setStore(store)
    .setTokenTtl(600)
    .setSigningAlgorithm('ES256')
    .setScopes({ read: 'Read', write: 'Write' })
    .findClient((id) => (id === 'client-1' ? { client_id: id, client_secret: 'secret-1', grant_types: ['client_credentials'] } : undefined))
    .useAccessTokenJwks(true)
    .tokenRoute((route) =>
      route.generateToken(async ({ createJwtAccessToken, ttl }) => {
        const { token } = await createJwtAccessToken!({ grant_id: 'grant-1' })
        return new OAuth2TokenResponse({ access_token: token }).setExpiresIn(ttl)
      }),
    )
  return (onError !== undefined ? builder.onError(onError) : builder).build()
}

async function issue(provider: OAuth2Provider, scope = 'read'): Promise<string> {
  const response = await postToken(provider, { grant_type: 'client_credentials', scope }, AUTH)
  expect(response.status).toBe(200)
  return response.json['access_token'] as string
}

function failure(auth: ResourceAuthentication) {
  if (auth.ok) throw new Error('expected the request to be refused')
  return { ...auth, json: auth.body === '' ? {} : (JSON.parse(auth.body) as Record<string, unknown>) }
}

describe('RFC 6750 §2.1 Authorization request header field', () => {
  it('accepts a valid Bearer token and returns its verified claims', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider, 'read write')
    const auth = await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } })
    expect(auth.ok).toBe(true)
    if (!auth.ok) return
    expect(auth.token).toMatchObject({ format: 'jwt', clientId: 'client-1', sub: 'client-1', scope: ['read', 'write'], grantId: 'grant-1' })
    expect(auth.token.claims['jti']).toBe(decodeJwt(token).jti)
  })

  it.each(['bearer', 'BEARER', 'BeArEr'])('treats the auth scheme case-insensitively (%s)', async (scheme) => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider)
    const auth = await provider.authenticateResourceRequest({ headers: new Headers({ authorization: `${scheme} ${token}` }) })
    expect(auth.ok).toBe(true)
  })

  it('accepts more than one space between the scheme and the token (1*SP)', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider)
    expect((await provider.authenticateResourceRequest({ headers: { authorization: `Bearer   ${token}` } })).ok).toBe(true)
  })

  it.each([
    ['no token', 'Bearer'],
    ['two tokens', 'Bearer abc def'],
    ['a quote in the token', 'Bearer ab"c'],
    ['padding before the end', 'Bearer ab=c'],
    ['a comma-joined second header', 'Bearer abc, Bearer def'],
    ['a tab, not 1*SP, after the scheme', 'Bearer\tabc'],
  ])('answers a malformed Bearer header (%s) with 400 invalid_request', async (_, authorization) => {
    const provider = resourceProvider(testClock())
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization } }))
    expect(auth.status).toBe(400)
    expect(auth.json['error']).toBe('invalid_request')
    expect(auth.headers['www-authenticate']).toMatch(/^Bearer realm="https:\/\/as\.example\.com", error="invalid_request", error_description="[^"\\]+"$/)
  })
})

describe('RFC 6750 §3.1 a request without authentication information', () => {
  it('answers 401 with a bare Bearer challenge and no error code', async () => {
    const provider = resourceProvider(testClock())
    const auth = failure(await provider.authenticateResourceRequest({ headers: {} }))
    expect(auth.status).toBe(401)
    expect(auth.headers['www-authenticate']).toBe(REALM)
    expect(auth.body).toBe('')
  })

  it('treats another auth scheme as no Bearer credentials', async () => {
    const provider = resourceProvider(testClock())
    const auth = failure(await provider.authenticateResourceRequest({ headers: AUTH }))
    expect(auth.status).toBe(401)
    expect(auth.headers['www-authenticate']).toBe(REALM)
  })
})

describe('RFC 6750 §2 one method per request', () => {
  it('refuses a token in the header and in the query as invalid_request', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider)
    const auth = failure(
      await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` }, url: `/api/me?access_token=${token}` }),
    )
    expect(auth.status).toBe(400)
    expect(auth.json['error']).toBe('invalid_request')
    expect(auth.headers['www-authenticate']).toContain('error="invalid_request"')
  })

  it('refuses a token in the header and in the form body as invalid_request', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider)
    const auth = failure(
      await provider.authenticateResourceRequest({
        headers: { authorization: `Bearer ${token}`, 'content-type': FORM },
        body: `access_token=${token}`,
      }),
    )
    expect(auth.status).toBe(400)
    expect(auth.json['error']).toBe('invalid_request')
  })

  it('does not accept the URI query method on its own (§2.3 SHOULD NOT)', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider)
    const auth = failure(await provider.authenticateResourceRequest({ headers: {}, url: `${ISSUER}/api/me?access_token=${token}` }))
    expect(auth.status).toBe(400)
    expect(auth.json['error']).toBe('invalid_request')
  })

  it('ignores an access_token field in a body that is not a form', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider)
    const auth = await provider.authenticateResourceRequest({
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: `access_token=${token}`,
    })
    expect(auth.ok).toBe(true)
  })
})

describe('RFC 6750 §3.1 invalid_token', () => {
  it('answers an unknown token with 401 invalid_token and a JSON body', async () => {
    const provider = resourceProvider(testClock())
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization: 'Bearer not-a-token' } }))
    expect(auth.status).toBe(401)
    expect(auth.json).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid, expired or revoked.' })
    expect(auth.headers['www-authenticate']).toBe(
      `${REALM}, error="invalid_token", error_description="The access token is invalid, expired or revoked."`,
    )
    expect(auth.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(auth.headers['cache-control']).toBe('no-store')
  })

  it('answers an expired token with 401 invalid_token', async () => {
    const clock = testClock()
    const provider = resourceProvider(clock)
    const token = await issue(provider)
    clock.advance(601_000)
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } }))
    expect(auth.status).toBe(401)
    expect(auth.json['error']).toBe('invalid_token')
  })

  it('answers a revoked token with 401 invalid_token', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const provider = resourceProvider(clock, store)
    const token = await issue(provider)
    await store.revokeGrant('grant-1')
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } }))
    expect(auth.status).toBe(401)
    expect(auth.json['error']).toBe('invalid_token')
  })

  it('answers a well-formed JWT signed by another key with 401 invalid_token', async () => {
    const provider = resourceProvider(testClock())
    const genuine = decodeJwt(await issue(provider))
    const { privateKey } = await generateKeyPair('RS256')
    const forged = await new SignJWT(genuine).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' }).sign(privateKey)
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${forged}` } }))
    expect(auth.status).toBe(401)
    expect(auth.json['error']).toBe('invalid_token')
  })
})

describe('RFC 6750 §3.1 insufficient_scope', () => {
  it('answers a token without a required scope with 403 and names the scope needed', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider, 'read')
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } }, { scopes: ['read', 'write'] }))
    expect(auth.status).toBe(403)
    expect(auth.json['error']).toBe('insufficient_scope')
    expect(auth.headers['www-authenticate']).toMatch(/^Bearer realm="https:\/\/as\.example\.com", error="insufficient_scope", error_description="[^"\\]+", scope="read write"$/)
  })

  it('accepts a token that carries every required scope', async () => {
    const provider = resourceProvider(testClock())
    const token = await issue(provider, 'write read')
    const auth = await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } }, { scopes: ['read', 'write'] })
    expect(auth.ok).toBe(true)
  })

  it('reports a scopes option that is not a list of scope tokens to onError and answers 500', async () => {
    const errors: unknown[] = []
    const provider = resourceProvider(testClock(), undefined, (error) => errors.push(error))
    const token = await issue(provider)
    const auth = failure(await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } }, { scopes: ['read write'] }))
    expect(auth.status).toBe(500)
    expect(auth.json['error']).toBe('server_error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(TypeError)
  })
})
