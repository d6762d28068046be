import { describe, expect, it } from 'vitest'
import {
  MemoryStore,
  MultipleFlowsBuilder,
  OAuth2AuthorizationCodeBuilder,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
  type ClientMetadata,
  type OAuth2Provider,
  type OAuth2Result,
  type SecurityEvent,
  type StoreKind,
  type StoredEntry,
} from '@x/oauth2-core'
import {
  codeFlowProvider,
  codeRequest,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  redirectParams,
  signInAndConsent,
  WEB_AUTH,
  WEB_CLIENT,
} from '../fixtures/authorization.js'
import { basicAuth, ISSUER, postToken, testClock } from '../fixtures/request.js'

/** The code of a redirect to the client. */
function codeOf(result: OAuth2Result): string {
  const { params } = redirectParams(result)
  expect(params['code'], JSON.stringify(params)).toBeDefined()
  return params['code']!
}

/** A fresh code of `client` (sign-in and consent done), with its PKCE verifier. */
async function freshCode(provider: OAuth2Provider, client: ClientMetadata = WEB_CLIENT, extra: Record<string, string> = {}, url?: string) {
  const { params, verifier } = await codeRequest(client, extra)
  const result = url === undefined ? await signInAndConsent(provider, params) : await signInAt(provider, params, url)
  return { code: codeOf(result), verifier }
}

/** signInAndConsent against another authorization endpoint path. */
async function signInAt(provider: OAuth2Provider, params: Record<string, string>, url: string) {
  const { authorize, cookieOf, hiddenFields, submit } = await import('../fixtures/authorization.js')
  const page = await authorize(provider, params, {}, url)
  const cookie = cookieOf(page)
  const login = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie, url)
  return login.status === 200 ? submit(provider, { ...hiddenFields(login.body), oauth2_decision: 'allow' }, cookie, url) : login
}

function redeem(provider: OAuth2Provider, code: string, verifier: string | undefined, headers: Record<string, string> = WEB_AUTH, extra: Record<string, string> = {}) {
  return postToken(
    provider,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...(verifier !== undefined ? { code_verifier: verifier } : {}), ...extra },
    headers,
  )
}

function userinfo(provider: OAuth2Provider, accessToken: string) {
  return provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/userinfo`, headers: { authorization: `Bearer ${accessToken}` } })
}

/** A MemoryStore that records the kinds it is asked to write. */
class RecordingStore extends MemoryStore {
  readonly writes: StoreKind[] = []
  override set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number) {
    this.writes.push(kind)
    return super.set(kind, id, entry, expiresAt)
  }
}

const UNUSABLE_CODE = { error: 'invalid_grant', error_description: 'The authorization code is invalid, expired or already used.' }

describe('RFC 6749 §4.1.3 the core authenticates the client that redeems its code', () => {
  /** kaapi's static client, no client lookup: the core cannot check a secret. */
  function staticClientProvider() {
    return OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .addClientAuthenticationMethod('client_secret_basic')
      .addClientAuthenticationMethod('none')
      .setScopes({ profile: 'Your profile' })
      .authorizationRoute((route) =>
        route
          .setClientId('web-app')
          .setRedirectUri(REDIRECT_URI)
          .authenticateUser(({ username, password }) => (username === 'alice' && password === 'wonderland' ? { sub: 'user-alice' } : null))
          .consent(() => true),
      )
      .build()
  }

  it('RFC 6749 §4.1.3: refuses a secret it cannot verify (no client lookup) with invalid_client, before the code is consumed', async () => {
    const provider = staticClientProvider()
    const { code, verifier } = await freshCode(provider, { client_id: 'web-app' }, { scope: 'profile' })
    const forged = await redeem(provider, code, verifier, { authorization: basicAuth('web-app', 'definitely-wrong') })
    expect(forged.status).toBe(401)
    expect(forged.json['error']).toBe('invalid_client')
    expect(forged.json).not.toHaveProperty('access_token')
    expect(forged.headers['www-authenticate']).toMatch(/^Basic /)
    // The code is still there for the client, as the public client it is (PKCE its proof).
    const redeemed = await redeem(provider, code, verifier, {}, { client_id: 'web-app' })
    expect(redeemed.status).toBe(200)
  })

  it('RFC 6749 §4.1.3: build() refuses core codes that no client could redeem (no client lookup, only secret methods)', () => {
    const build = () =>
      OAuth2AuthorizationCodeBuilder.create()
        .setIssuer(ISSUER)
        .addClientAuthenticationMethod('client_secret_basic')
        .authorizationRoute((route) => route.setClientId('web-app').setRedirectUri(REDIRECT_URI).authenticateUser(() => ({ sub: 'u' })))
        .build()
    expect(build).toThrow(TypeError)
    expect(build).toThrow(/findClient/)
  })
})

describe('RFC 6749 §4.1.3 a code is checked before it is consumed', () => {
  it('RFC 6749 §4.1.3: another client cannot burn a code: refused without consuming it, and no reuse is reported', async () => {
    const events: SecurityEvent[] = []
    const { provider } = codeFlowProvider({ builder: (b) => b.onSecurityEvent((event) => events.push(event)) })
    const { code, verifier } = await freshCode(provider)
    const stolen = await redeem(provider, code, verifier, {}, { client_id: PUBLIC_CLIENT.client_id })
    expect(stolen.status).toBe(400)
    expect(stolen.json).toEqual(UNUSABLE_CODE)
    const redeemed = await redeem(provider, code, verifier)
    expect(redeemed.status).toBe(200)
    expect(events).toEqual([])
  })

  it('RFC 6749 §4.1.3: answers another client exactly as for an unknown code (nothing tells it the code is valid)', async () => {
    const { provider } = codeFlowProvider()
    const { code, verifier } = await freshCode(provider)
    const stolen = await redeem(provider, code, verifier, {}, { client_id: PUBLIC_CLIENT.client_id })
    const unknown = await redeem(provider, 'made-up-code', verifier, {}, { client_id: PUBLIC_CLIENT.client_id })
    expect(stolen.json).toEqual(unknown.json)
    expect(stolen.status).toBe(unknown.status)
  })

  it('RFC 6749 §4.1.3: a missing or different redirect_uri is invalid_grant and leaves the code usable', async () => {
    const { provider } = codeFlowProvider()
    const { code, verifier } = await freshCode(provider)
    const missing = await postToken(provider, { grant_type: 'authorization_code', code, code_verifier: verifier }, WEB_AUTH)
    expect(missing.json['error']).toBe('invalid_grant')
    const other = await redeem(provider, code, verifier, WEB_AUTH, { redirect_uri: 'https://client.example.org/cb2?tenant=a&x=1' })
    expect(other.json['error']).toBe('invalid_grant')
    expect((await redeem(provider, code, verifier)).status).toBe(200)
  })

  it('RFC 7636 §4.5: a missing code_verifier is invalid_grant and leaves the code usable (it guesses nothing)', async () => {
    const { provider } = codeFlowProvider()
    const { code, verifier } = await freshCode(provider)
    const missing = await redeem(provider, code, undefined)
    expect(missing.json['error']).toBe('invalid_grant')
    expect(missing.json['error_description']).toMatch(/code_verifier is required/)
    expect((await redeem(provider, code, verifier)).status).toBe(200)
  })

  it('RFC 7636 §4.6: a wrong code_verifier is invalid_grant and spends the code: one guess per code', async () => {
    const { provider } = codeFlowProvider()
    const { code, verifier } = await freshCode(provider)
    const wrong = await redeem(provider, code, 'x'.repeat(43))
    expect(wrong.json['error']).toBe('invalid_grant')
    expect(wrong.json['error_description']).toMatch(/code_verifier does not match/)
    expect((await redeem(provider, code, verifier)).json).toEqual(UNUSABLE_CODE)
  })

  it('RFC 6749 §4.1.2: a used code presented again, by any client, is a replay that revokes the grant', async () => {
    const events: SecurityEvent[] = []
    const { provider } = codeFlowProvider({ builder: (b) => b.onSecurityEvent((event) => events.push(event)) })
    const { code, verifier } = await freshCode(provider)
    const tokens = await redeem(provider, code, verifier)
    expect(tokens.status).toBe(200)
    const replay = await redeem(provider, code, verifier, {}, { client_id: PUBLIC_CLIENT.client_id })
    expect(replay.json).toEqual(UNUSABLE_CODE)
    expect(events).toMatchObject([{ type: 'authorization_code_reuse', clientId: WEB_CLIENT.client_id }])
    expect((await userinfo(provider, tokens.json['access_token'] as string)).status).toBe(401)
  })
})

describe('RFC 6749 §4.1.3 with MultipleFlowsBuilder: two authorization code flows at one token endpoint', () => {
  function twoCodeFlows(secondMethods: ('client_secret_basic' | 'none')[] = ['client_secret_basic', 'none']) {
    const flow = (name: string, path: string, methods: ('client_secret_basic' | 'none')[] = ['client_secret_basic', 'none']) =>
      methods
        .reduce((builder, method) => builder.addClientAuthenticationMethod(method), OAuth2AuthorizationCodeBuilder.create().strategyName(name))
        .setScopes({ profile: 'Your profile' })
        .authorizationRoute((route) => route.setPath(path).authenticateUser(() => ({ sub: `user-of-${name}` })).consent(() => true))
    return MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .setClock(testClock().now)
      .findClient((id) => [WEB_CLIENT, PUBLIC_CLIENT].find((c) => c.client_id === id))
      .add(flow('first', '/oauth2/authorize'))
      .add(flow('second', '/oauth2/authorize-second', secondMethods))
      .build()
  }

  it('RFC 6749 §4.1.3: redeems a code of the second flow: the first flow leaves it, unconsumed, to the flow that issued it', async () => {
    const provider = twoCodeFlows()
    const second = await freshCode(provider, WEB_CLIENT, { scope: 'profile' }, `${ISSUER}/oauth2/authorize-second`)
    const tokens = await redeem(provider, second.code, second.verifier)
    expect(tokens.status, JSON.stringify(tokens.json)).toBe(200)
    const introspected = await provider.handle({
      method: 'POST',
      url: `${ISSUER}/oauth2/introspect`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...WEB_AUTH },
      body: new URLSearchParams({ token: tokens.json['access_token'] as string }).toString(),
    })
    expect(JSON.parse(introspected.body)).toMatchObject({ active: true, sub: 'user-of-second' })

    const first = await freshCode(provider, WEB_CLIENT, { scope: 'profile' })
    expect((await redeem(provider, first.code, first.verifier)).status).toBe(200)
  })

  it('RFC 6749 §5.2: answers invalid_grant, as for any unusable code, when the client may use no flow after the one that left the code, and leaves it to its owner', async () => {
    // The second flow serves public clients only: web-app (Basic) cannot reach it.
    const provider = twoCodeFlows(['none'])
    const second = await freshCode(provider, PUBLIC_CLIENT, { scope: 'profile' }, `${ISSUER}/oauth2/authorize-second`)
    expect((await redeem(provider, second.code, second.verifier)).json).toEqual(UNUSABLE_CODE)
    const owner = await redeem(provider, second.code, second.verifier, {}, { client_id: PUBLIC_CLIENT.client_id })
    expect(owner.status, JSON.stringify(owner.json)).toBe(200)
  })

  it('RFC 6749 §4.1.2: a replayed code of the second flow is still detected as a replay', async () => {
    const provider = twoCodeFlows()
    const second = await freshCode(provider, WEB_CLIENT, { scope: 'profile' }, `${ISSUER}/oauth2/authorize-second`)
    expect((await redeem(provider, second.code, second.verifier)).status).toBe(200)
    expect((await redeem(provider, second.code, second.verifier)).json).toEqual(UNUSABLE_CODE)
    expect((await redeem(provider, 'made-up-code', second.verifier)).json).toEqual(UNUSABLE_CODE)
  })
})

describe('RFC 6749 §4.1.2 / RFC 9700 §4.2.4 a replayed code revokes what a generateToken handler issued', () => {
  it('RFC 6749 §4.1.2: revokes the access token a handler signed with createJwtAccessToken', async () => {
    const { provider } = codeFlowProvider({
      builder: (b) =>
        b.tokenRoute((t) =>
          t.generateToken(async ({ authorization, createJwtAccessToken }) => {
            const { token } = await createJwtAccessToken!({ sub: authorization!.sub, scope: authorization!.scopes })
            return new OAuth2TokenResponse({ access_token: token })
          }),
        ),
    })
    const { code, verifier } = await freshCode(provider)
    const tokens = await redeem(provider, code, verifier)
    expect(tokens.status).toBe(200)
    const accessToken = tokens.json['access_token'] as string
    expect((await userinfo(provider, accessToken)).status).toBe(200)
    expect((await redeem(provider, code, verifier)).json['error']).toBe('invalid_grant')
    expect((await userinfo(provider, accessToken)).status).toBe(401)
  })

  it('RFC 6749 §4.1.2: revokes the access and refresh tokens a handler issued with issueTokens()', async () => {
    const { provider } = codeFlowProvider({
      builder: (b) =>
        b.tokenRoute((t) => t.generateToken(async ({ authorization, issueTokens }) => issueTokens({ sub: authorization!.sub, scope: authorization!.scopes }))),
    })
    const { code, verifier } = await freshCode(provider, WEB_CLIENT, { scope: 'openid profile offline_access' })
    const tokens = await redeem(provider, code, verifier)
    expect(tokens.status).toBe(200)
    expect(typeof tokens.json['refresh_token']).toBe('string')
    expect((await redeem(provider, code, verifier)).json['error']).toBe('invalid_grant')
    expect((await userinfo(provider, tokens.json['access_token'] as string)).status).toBe(401)
    const refresh = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.json['refresh_token'] as string }, WEB_AUTH)
    expect(refresh.json['error']).toBe('invalid_grant')
  })

  it('RFC 6749 §4.1.2: refuses a token createJwtAccessToken would record for a grant a replay revoked meanwhile', async () => {
    let replay: Awaited<ReturnType<typeof redeem>> | undefined
    const { provider } = codeFlowProvider({
      builder: (b) =>
        b.tokenRoute((t) =>
          t.generateToken(async ({ authorization, code, codeVerifier, createJwtAccessToken }) => {
            // The replay arrives while this handler runs.
            replay = await redeem(provider, code, codeVerifier)
            const { token } = await createJwtAccessToken!({ sub: authorization!.sub })
            return new OAuth2TokenResponse({ access_token: token })
          }),
        ),
    })
    const { code, verifier } = await freshCode(provider)
    const first = await redeem(provider, code, verifier)
    expect(replay!.json['error']).toBe('invalid_grant')
    expect(first.status).toBe(400)
    expect(first.json['error']).toBe('invalid_grant')
  })
})

describe('RFC 6749 §5.2 a client registered for an ID token algorithm the provider does not sign with', () => {
  it('RFC 6749 §5.2: gets unauthorized_client, writes no token, and keeps its code', async () => {
    const client: ClientMetadata = { ...WEB_CLIENT }
    const clock = testClock()
    const store = new RecordingStore({ now: clock.now })
    const { provider } = codeFlowProvider({ clock, clients: [client], builder: (b) => b.setStore(store) })
    const { code, verifier } = await freshCode(provider, client, { scope: 'openid profile offline_access' })
    // The registration changes between the authorization and the token request.
    client.id_token_signed_response_alg = 'HS256'
    store.writes.length = 0
    const refused = await redeem(provider, code, verifier)
    expect(refused.status).toBe(400)
    expect(refused.json['error']).toBe('unauthorized_client')
    expect(refused.json['error_description']).toMatch(/id_token_signed_response_alg/)
    expect(store.writes).toEqual([])
    delete client.id_token_signed_response_alg
    expect((await redeem(provider, code, verifier)).status).toBe(200)
  })

  it('RFC 6749 §5.2: a refresh that would need such an ID token writes nothing and leaves the refresh token usable', async () => {
    const client: ClientMetadata = { ...WEB_CLIENT }
    const clock = testClock()
    const store = new RecordingStore({ now: clock.now })
    const { provider } = codeFlowProvider({ clock, clients: [client], builder: (b) => b.setStore(store) })
    const { code, verifier } = await freshCode(provider, client, { scope: 'openid profile offline_access' })
    const tokens = await redeem(provider, code, verifier)
    expect(tokens.status).toBe(200)
    client.id_token_signed_response_alg = 'PS384'
    store.writes.length = 0
    const refused = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.json['refresh_token'] as string }, WEB_AUTH)
    expect(refused.status).toBe(400)
    expect(refused.json['error']).toBe('unauthorized_client')
    expect(store.writes.filter((kind) => kind === 'access_token')).toEqual([])
    delete client.id_token_signed_response_alg
    const refreshed = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.json['refresh_token'] as string }, WEB_AUTH)
    expect(refreshed.status).toBe(200)
  })

  it('RFC 6749 §5.2: the issueTokens() helper of a handler writes nothing for such a client', async () => {
    const client: ClientMetadata = { ...WEB_CLIENT, id_token_signed_response_alg: 'HS256' }
    const clock = testClock()
    const store = new RecordingStore({ now: clock.now })
    const provider = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .setStore(store)
      .findClient((id) => (id === client.client_id ? client : undefined))
      .tokenRoute((t) => t.generateToken(({ issueTokens }) => issueTokens({ sub: 'user-alice', scope: 'openid' })))
      .build()
    const result = await postToken(provider, { grant_type: 'authorization_code', code: 'kaapi-code', redirect_uri: REDIRECT_URI }, WEB_AUTH)
    expect(result.status).toBe(400)
    expect(result.json['error']).toBe('unauthorized_client')
    expect(store.writes).toEqual([])
  })
})
