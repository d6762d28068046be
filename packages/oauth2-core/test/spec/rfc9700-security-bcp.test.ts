/**
 * The rules of the OAuth 2.0 Security BCP (RFC 9700), RFC 6749 §10, RFC 8628 §5 and OpenID Connect
 * Core §16 that no other spec test proves. docs/security.md lists every rule with its test.
 */
import { decodeJwt, decodeProtectedHeader, exportJWK, importJWK, SignJWT, type JWTPayload } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  InMemoryKeyStore,
  MemoryStore,
  OAuth2ClientCredentialsBuilder,
  OAuth2TokenResponse,
  PrivateKeyJwt,
  type ClientMetadata,
  type OAuth2Provider,
  type OAuth2Store,
} from '@x/oauth2-core'
import {
  AUTHORIZE_URL,
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
import { approve, startDevice } from '../fixtures/device-flow.js'
import { basicAuth, FORM, ISSUER, json, postToken, testClock, TOKEN_URL } from '../fixtures/request.js'
import { createFuzzProvider, freshTokens, serviceToken, SVC_BASIC } from '../fuzz/harness.js'

const USERINFO_URL = `${ISSUER}/oauth2/userinfo`

/** An OIDC code-flow provider whose signing keys the test can read (to forge tokens with them). */
function providerWithKeys(options: { onError?: (error: unknown) => void; finalize?: boolean } = {}) {
  const keys = new InMemoryKeyStore()
  const { provider, clock } = codeFlowProvider({
    builder: (b) => {
      b.setJwksKeyStore(keys)
        .setSigningAlgorithm('ES256')
        .useAccessTokenJwks(true)
        .userInfo((sub) => ({ sub, name: 'Alice' }))
      if (options.onError !== undefined) b.onError(options.onError)
      return b
    },
  })
  return { provider, clock, keys }
}

/** Access, refresh and ID token of a full code flow. */
async function tokensOf(provider: OAuth2Provider, scope = 'openid profile offline_access') {
  const { params, verifier } = await codeRequest(WEB_CLIENT, { scope })
  const code = redirectParams(await signInAndConsent(provider, params)).params['code']!
  const result = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
  expect(result.status).toBe(200)
  return result.json as { access_token: string; id_token: string; refresh_token?: string }
}

/** Signs `payload` with the provider's own key of `alg`, with the given header: a token only the server could make. */
async function signWithServerKey(keys: InMemoryKeyStore, alg: string, payload: JWTPayload, header: Record<string, unknown>): Promise<string> {
  const stored = (await keys.list()).find((k) => k.alg === alg)!
  const key = await importJWK(stored.privateJwk, alg)
  return new SignJWT(payload).setProtectedHeader({ alg, kid: stored.kid, ...header }).sign(key)
}

function userinfo(provider: OAuth2Provider, token: string) {
  return provider.handle({ method: 'GET', url: USERINFO_URL, headers: { authorization: `Bearer ${token}` } })
}

describe('RFC 9700 §2.1.2 the implicit grant is not served', () => {
  it('answers response_type=token and id_token with unsupported_response_type, and advertises only code', async () => {
    const { provider } = codeFlowProvider()
    for (const responseType of ['token', 'id_token', 'id_token token', 'code token', 'code id_token']) {
      const { params } = await codeRequest(WEB_CLIENT, { response_type: responseType })
      const result = await authorize(provider, params)
      expect([responseType, redirectParams(result).params['error']]).toEqual([responseType, 'unsupported_response_type'])
      // No token travels in the URL (RFC 9700 §4.3.2): only error, description, state and iss.
      expect(Object.keys(redirectParams(result).params).sort()).toEqual(['error', 'error_description', 'iss', 'state'])
    }
    expect(provider.metadata()['response_types_supported']).toEqual(['code'])
  })
})

describe('RFC 9700 §2.4 the resource owner password credentials grant is not served', () => {
  it('answers grant_type=password with unsupported_grant_type and never advertises it', async () => {
    const { provider } = codeFlowProvider()
    const result = await postToken(provider, { grant_type: 'password', username: 'alice', password: 'wonderland' }, WEB_AUTH)
    expect(result.status).toBe(400)
    expect(result.json['error']).toBe('unsupported_grant_type')
    expect(provider.metadata()['grant_types_supported']).not.toContain('password')
  })
})

describe('RFC 8725 §3.11 / RFC 9068 §4 explicit typing: no JWT is accepted as another kind of token', () => {
  it('refuses an ID token presented as an access token at the UserInfo endpoint and to a resource server', async () => {
    const { provider } = providerWithKeys()
    const tokens = await tokensOf(provider)
    expect(decodeProtectedHeader(tokens.id_token).typ).toBe('JWT')
    expect((await userinfo(provider, tokens.access_token)).status).toBe(200)
    const result = await userinfo(provider, tokens.id_token)
    expect(result.status).toBe(401)
    expect(json(result)['error']).toBe('invalid_token')
    const auth = await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${tokens.id_token}` } })
    expect(auth.ok).toBe(false)
  })

  it('refuses a token signed by the server with every claim of an access token but typ JWT (the control with typ at+jwt passes)', async () => {
    const { provider, keys } = providerWithKeys()
    const tokens = await tokensOf(provider)
    const claims = decodeJwt(tokens.access_token)
    const control = await signWithServerKey(keys, 'ES256', claims, { typ: 'at+jwt' })
    expect((await userinfo(provider, control)).status).toBe(200)
    for (const typ of ['JWT', 'jwt', 'application/at+jwt+evil', undefined]) {
      const forged = await signWithServerKey(keys, 'ES256', claims, typ === undefined ? {} : { typ })
      expect([typ, (await userinfo(provider, forged)).status]).toEqual([typ, 401])
    }
  })

  it('refuses the login ticket of the consent form as an access token, and an access token as a login ticket', async () => {
    const { provider } = providerWithKeys()
    const tokens = await tokensOf(provider)
    const { params } = await codeRequest(WEB_CLIENT)
    const page = await authorize(provider, params)
    const cookie = cookieOf(page)
    const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
    const fields = hiddenFields(consent.body)
    expect(decodeProtectedHeader(fields['oauth2_ticket']!).typ).toBe('oauth2-login+jwt')
    expect((await userinfo(provider, fields['oauth2_ticket']!)).status).toBe(401)
    const swapped = await submit(provider, { ...fields, oauth2_ticket: tokens.access_token, oauth2_decision: 'allow' }, cookie)
    expect(swapped.status).toBe(400)
    expect(swapped.headers['location']).toBeUndefined()
  })
})

describe('RFC 8725 §3.1 / OpenID Connect Core §16.13 algorithms: none refused, alg pinned per key', () => {
  it('refuses an unsigned token (alg none) and one MACed with the public key as secret (algorithm confusion)', async () => {
    const { provider, keys } = providerWithKeys()
    const tokens = await tokensOf(provider)
    const claims = decodeJwt(tokens.access_token)
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const stored = (await keys.list()).find((k) => k.alg === 'ES256')!
    const unsigned = `${encode({ alg: 'none', typ: 'at+jwt', kid: stored.kid })}.${encode(claims)}.`
    expect((await userinfo(provider, unsigned)).status).toBe(401)
    const confused = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: stored.kid })
      .sign(new TextEncoder().encode(JSON.stringify(stored.publicJwk)))
    expect((await userinfo(provider, confused)).status).toBe(401)
  })

  it('refuses a token whose header names a published key but another algorithm than the key has', async () => {
    const { provider, keys } = providerWithKeys()
    const tokens = await tokensOf(provider)
    const claims = decodeJwt(tokens.access_token)
    // An RS256 key signs, but the header names the ES256 key's kid.
    const es = (await keys.list()).find((k) => k.alg === 'ES256')!
    const rs = (await keys.list()).find((k) => k.alg === 'RS256')!
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: es.kid }).sign(await importJWK(rs.privateJwk, 'RS256'))
    expect((await userinfo(provider, forged)).status).toBe(401)
  })

  it('signs only with RS256, ES256 or EdDSA: an HMAC or none signing algorithm is a configuration error', () => {
    const builder = OAuth2ClientCredentialsBuilder.create()
    for (const alg of ['HS256', 'none', 'RS1']) expect(() => builder.setSigningAlgorithm(alg as never)).toThrow(/setSigningAlgorithm: use one of RS256, ES256, EdDSA/)
  })

  it('never signs an ID token with none or an HMAC, even when the client registered it (OpenID Connect Core §16.19)', async () => {
    for (const alg of ['none', 'HS256']) {
      const errors: unknown[] = []
      // Looked up by reference: the registration can change between the two requests.
      const client: ClientMetadata = { ...WEB_CLIENT }
      const { provider } = codeFlowProvider({ clients: [client], builder: (b) => b.onError((e) => errors.push(e)) })
      // A code issued while the client was registered for RS256, redeemed after it registered `alg`.
      const { params, verifier } = await codeRequest(client)
      const code = redirectParams(await signInAndConsent(provider, params)).params['code']!
      client.id_token_signed_response_alg = alg
      const result = await postToken(provider, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, WEB_AUTH)
      expect(result.status).toBe(400)
      expect(json(result)['error']).toBe('unauthorized_client')
      expect(result.body).not.toContain('id_token"')
      // At the authorization endpoint the same registration is refused before any code (OIDC Core §3.1.3.7).
      const refused = redirectParams(await signInAndConsent(provider, (await codeRequest(client)).params)).params
      expect(refused['error']).toBe('unauthorized_client')
      expect(refused['code']).toBeUndefined()
      expect(errors).toEqual([])
    }
  })
})

/** An RSA key pair of 1024 bits, which RFC 7518 §3.3 forbids (WebCrypto still makes one; jose does not). */
async function weakRsaKeyPair() {
  return (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair
}

describe('RFC 7518 §3.3 / RFC 9700 §2.7 key sizes', () => {
  it('never signs with an RSA key under 2048 bits found in the key store: server_error, and the reason goes to onError', async () => {
    const { privateKey, publicKey } = await weakRsaKeyPair()
    const keys = new InMemoryKeyStore()
    const now = testClock().now()
    await keys.put({
      kid: 'weak',
      alg: 'RS256',
      privateJwk: await exportJWK(privateKey),
      publicJwk: await exportJWK(publicKey),
      createdAt: now - 1000,
      activatesAt: now - 1000,
    })
    const errors: unknown[] = []
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .setClock(() => now)
      .setJwksKeyStore(keys)
      .findClient((id) => (id === 'svc' ? { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] } : undefined))
      .useAccessTokenJwks(true)
      .onError((e) => errors.push(e))
      .build()
    const result = await provider.handle({ method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM, authorization: SVC_BASIC }, body: 'grant_type=client_credentials' })
    expect(result.status).toBe(500)
    expect(result.body).not.toMatch(/2048|modulus/)
    expect(String(errors.at(-1))).toMatch(/2048/)
  })

  it('refuses a private_key_jwt assertion signed with an RSA key under 2048 bits', async () => {
    const { privateKey, publicKey } = await weakRsaKeyPair()
    const jwk = { ...(await exportJWK(publicKey)), kid: 'weak', alg: 'RS256' }
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .setClock(testClock().now)
      .findClient((id) => (id === 'weak-client' ? { client_id: id, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, grant_types: ['client_credentials'] } : undefined))
      .addClientAuthenticationMethod(new PrivateKeyJwt())
      .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'at' })))
      .build()
    const now = Math.floor(testClock().now() / 1000)
    // jose refuses to sign with such a key, so the JWS is assembled by hand (RFC 7515 §5.1).
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const input = `${encode({ alg: 'RS256', kid: 'weak' })}.${encode({ iss: 'weak-client', sub: 'weak-client', aud: TOKEN_URL, exp: now + 60, jti: 'j1' })}`
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, new TextEncoder().encode(input))
    const assertion = `${input}.${Buffer.from(signature).toString('base64url')}`
    const result = await postToken(provider, {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    })
    expect(result.status).toBe(400)
    expect(result.json['error']).toBe('invalid_client')
  })
})

describe('RFC 6749 §10.3, §10.4, §10.5 / RFC 8628 §5.2: secrets are stored only as hashes', () => {
  it('never writes an issued code, token, device code, user code, code verifier or client secret into the store, as an id or a value', async () => {
    const writes: string[] = []
    const target = createFuzzProvider()
    const inner = target.store.inner
    const spy = inner.set.bind(inner)
    const spyIfAbsent = inner.setIfAbsent.bind(inner)
    inner.set = async (kind, id, entry, expiresAt) => {
      writes.push(`${kind} ${id} ${JSON.stringify(entry)}`)
      return spy(kind, id, entry, expiresAt)
    }
    inner.setIfAbsent = async (kind, id, entry, expiresAt) => {
      writes.push(`${kind} ${id} ${JSON.stringify(entry)}`)
      return spyIfAbsent(kind, id, entry, expiresAt)
    }
    const { provider } = target
    const tokens = await freshTokens(provider)
    const refreshed = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: basicAuth('web-app', 'web-app-secret') })
    expect(refreshed.status).toBe(200)
    const service = await serviceToken(provider)
    const device = await startDevice(provider)
    await approve(provider, device.user_code)
    const deviceTokens = await postToken(provider, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code, client_id: 'tv' })
    expect(deviceTokens.status).toBe(200)

    const secrets = [
      tokens.access_token,
      tokens.refresh_token,
      tokens.id_token,
      refreshed.json['refresh_token'] as string,
      refreshed.json['access_token'] as string,
      service,
      device.device_code,
      device.user_code,
      device.user_code.replace('-', ''),
      deviceTokens.json['access_token'] as string,
      deviceTokens.json['refresh_token'] as string,
      'web-app-secret',
      'svc-secret',
    ].filter((s) => typeof s === 'string')
    expect(writes.length).toBeGreaterThan(5)
    for (const secret of secrets) {
      for (const write of writes) expect(write.includes(secret), `${secret.slice(0, 12)}... written in clear: ${write.slice(0, 120)}`).toBe(false)
    }
    // The token endpoint never echoes a presented secret either.
    const wrong = await postToken(provider, { grant_type: 'client_credentials' }, { authorization: basicAuth('svc', 'not-the-secret-12345') })
    expect(wrong.body).not.toContain('not-the-secret-12345')
  })
})

describe('RFC 9700 §4.16 / RFC 6749 §10.13 clickjacking: every HTML page forbids framing', () => {
  it('keeps frame-ancestors none and X-Frame-Options DENY on a renderer result that tries to allow framing', async () => {
    const { provider } = codeFlowProvider({
      route: (r) =>
        r.setGETResponseRenderer(() => ({
          status: 200,
          headers: { 'Content-Security-Policy': "default-src *; frame-ancestors *", 'X-Frame-Options': 'ALLOWALL' },
          body: '<!doctype html><form method="post"></form>',
        })),
    })
    const { params } = await codeRequest(WEB_CLIENT)
    const page = await authorize(provider, params)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    expect(page.headers['content-security-policy']).not.toMatch(/frame-ancestors \*/)
  })

  it('sends an HTML page of finalizeAuthorization with frame-ancestors none and X-Frame-Options DENY', async () => {
    const { provider } = codeFlowProvider({
      route: (r) => r.finalizeAuthorization(({ fullRedirectUri }) => ({ status: 200, headers: { 'content-type': 'text/html' }, body: `<a href="${fullRedirectUri}">continue</a>` })),
    })
    const { params } = await codeRequest(WEB_CLIENT)
    const page = await signInAndConsent(provider, params)
    expect(page.status).toBe(200)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/)
    expect(page.headers['cache-control']).toBe('no-store')
  })
})

describe('RFC 9700 §4.11.1 / RFC 6749 §10.15 no open redirector', () => {
  it('shows an error page, never a redirect, for every redirect_uri that is not exactly a registered one', async () => {
    const { provider } = codeFlowProvider()
    const lookalikes = [
      'https://client.example.org/cb/',
      'https://client.example.org/CB',
      'https://CLIENT.example.org/cb',
      'https://client.example.org/cb?x=1',
      'https://client.example.org/cb/../cb',
      'https://client.example.org/cb%2F..',
      'https://client.example.org:443/cb',
      'https://client.example.org.attacker.example/cb',
      'https://attacker.example@client.example.org/cb',
      'https://client.example.org@attacker.example/cb',
      'http://client.example.org/cb',
      '//attacker.example/cb',
      'https://attacker.example/cb',
      'javascript:alert(1)//https://client.example.org/cb',
      'http://localhost/callback',
    ]
    for (const redirectUri of lookalikes) {
      const { params } = await codeRequest(WEB_CLIENT, { redirect_uri: redirectUri, scope: 'profile' })
      const result = await authorize(provider, params)
      expect([redirectUri, result.headers['location']]).toEqual([redirectUri, undefined])
      expect(result.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(result.status).toBe(400)
    }
  })

  it('shows an error page, never a redirect, for an unknown or missing client, even with a registered redirect_uri', async () => {
    const { provider } = codeFlowProvider()
    for (const clientId of [undefined, '', 'unknown-client', 'WEB-APP']) {
      const { params } = await codeRequest(WEB_CLIENT)
      if (clientId === undefined) delete params['client_id']
      else params['client_id'] = clientId
      const result = await authorize(provider, params)
      expect([clientId, result.headers['location']]).toEqual([clientId, undefined])
    }
  })

  it('accepts a loopback redirect URI on any port only for http IP literals (RFC 8252 §7.3), never for another host', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(PUBLIC_CLIENT, { redirect_uri: 'http://127.0.0.1:51004/callback' })
    expect(redirectParams(await signInAndConsent(provider, params)).base).toBe('http://127.0.0.1:51004/callback')
    for (const uri of ['http://127.0.0.1.attacker.example:51004/callback', 'http://127.0.0.1:51004/callback/x', 'https://127.0.0.1:51004/callback']) {
      const { params: other } = await codeRequest(PUBLIC_CLIENT, { redirect_uri: uri })
      expect((await authorize(provider, other)).headers['location']).toBeUndefined()
    }
  })
})

describe('RFC 9700 §4.2.4 / §4.12 redirects leak nothing and are followed with GET', () => {
  it('sends the code with Referrer-Policy no-referrer and no-store, 303 after a POST', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT)
    const result = await signInAndConsent(provider, params)
    expect(result.status).toBe(303)
    expect(result.headers['referrer-policy']).toBe('no-referrer')
    expect(result.headers['cache-control']).toBe('no-store')
  })
})

describe('RFC 9700 §4.4 mix-up and RFC 6749 §10.12 CSRF: the response names its issuer and echoes state', () => {
  it('adds iss and the exact state to the code response and to every error response', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(WEB_CLIENT, { state: 'st-&=?/' })
    const ok = redirectParams(await signInAndConsent(provider, params)).params
    expect(ok).toMatchObject({ iss: ISSUER, state: 'st-&=?/' })
    const { params: bad } = await codeRequest(WEB_CLIENT, { state: 'st-2', scope: 'undeclared' })
    expect(redirectParams(await authorize(provider, bad)).params).toMatchObject({ iss: ISSUER, state: 'st-2', error: 'invalid_scope' })
  })
})

describe('RFC 6749 §10.10 / RFC 8628 §5.2 credential entropy', () => {
  it('issues refresh tokens and device codes of 256 random bits and opaque, never guessable from one another', async () => {
    const target = createFuzzProvider()
    const a = await freshTokens(target.provider)
    const b = await freshTokens(target.provider)
    for (const token of [a.refresh_token, b.refresh_token]) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(a.refresh_token).not.toBe(b.refresh_token)
    const d1 = await startDevice(target.provider)
    const d2 = await startDevice(target.provider)
    for (const code of [d1.device_code, d2.device_code]) expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(d1.device_code).not.toBe(d2.device_code)
  })
})

describe('RFC 9700 §2.3 access token privilege restriction', () => {
  it('refuses an access token of this issuer whose audience is another resource server', async () => {
    const store: OAuth2Store = new MemoryStore()
    const issue = (audience: string) =>
      OAuth2ClientCredentialsBuilder.create()
        .setIssuer(ISSUER)
        .setStore(store)
        .setAccessTokenAudience(audience)
        .findClient((id) => (id === 'svc' ? { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] } : undefined))
        .useAccessTokenJwks(true)
    const keys = new InMemoryKeyStore()
    const forOther = issue('https://other-api.example').setJwksKeyStore(keys).build()
    const forMe = issue('https://my-api.example').setJwksKeyStore(keys).build()
    const result = await forOther.handle({ method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM, authorization: SVC_BASIC }, body: 'grant_type=client_credentials' })
    const token = (json(result) as { access_token: string }).access_token
    expect((await forOther.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } })).ok).toBe(true)
    expect((await forMe.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } })).ok).toBe(false)
  })
})

describe('RFC 6749 §10.12 the sign-in form is CSRF-protected before credentials are checked', () => {
  it('refuses a cross-site POST of the sign-in form (no cookie) without calling authenticateUser', async () => {
    let calls = 0
    const { provider } = codeFlowProvider({ route: (r) => r.authenticateUser(() => (calls++, { sub: 'x' })) })
    const { params } = await codeRequest(WEB_CLIENT)
    const page = await authorize(provider, params)
    const result = await provider.handle({
      method: 'POST',
      url: AUTHORIZE_URL,
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }).toString(),
    })
    expect(result.status).toBe(403)
    expect(calls).toBe(0)
  })
})
