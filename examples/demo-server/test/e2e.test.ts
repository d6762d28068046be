import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatBanner } from '../src/banner.js'
import { startDemo, type DemoServer } from '../src/demo.js'
import { FRAMEWORKS } from '../src/frameworks/types.js'
import { Browser, decodeHtml } from './browser.js'
import { runCurl } from './curl.js'

// oauth4webapi refuses http:// servers; the demo runs on a loopback address, so this is for tests only.
const insecure = { [oauth.allowInsecureRequests]: true } as const
const FORM = 'application/x-www-form-urlencoded'

interface UserGrant {
  tokens: oauth.TokenEndpointResponse
  idToken: oauth.IDToken | undefined
}

/**
 * What a relying party does (OpenID Connect Core §3.1, RFC 7636, RFC 9207): a PKCE pair, state and
 * nonce; the person signs in and consents in the browser; the client validates the authorization
 * response and redeems the code.
 */
async function authorizationCodeFlow(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  clientAuth: oauth.ClientAuth,
  redirectUri: string,
  scope: string,
  user = { username: 'alice', password: 'wonderland' },
): Promise<UserGrant> {
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  const url = new URL(as.authorization_endpoint!)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString()

  const browser = new Browser()
  const signIn = await browser.get(url.href)
  expect(signIn.status).toBe(200)
  expect(signIn.body).toContain('name="username"')
  expect(signIn.body).toContain('name="password"')
  const consent = await browser.submit(signIn, user)
  expect(consent.status, consent.body.slice(0, 300)).toBe(200)
  expect(consent.body).toContain('oauth2_decision')
  const redirect = await browser.submit(consent, { oauth2_decision: 'allow' })
  expect(redirect.status).toBe(303)
  const location = new URL(redirect.headers.get('location')!)
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri)

  const params = oauth.validateAuthResponse(as, client, location, state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, redirectUri, codeVerifier, insecure)
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: scope.split(' ').includes('openid') })
  if (tokens.id_token !== undefined) await oauth.validateApplicationLevelSignature(as, response, insecure)
  return { tokens, idToken: oauth.getValidatedIdTokenClaims(tokens) }
}

async function getMe(demo: DemoServer, accessToken?: string): Promise<Response> {
  return fetch(`${demo.issuer}/api/me`, accessToken === undefined ? {} : { headers: { authorization: `Bearer ${accessToken}` } })
}

/** The curl commands of a text, each with its continuation lines. */
function curlCommands(text: string): string[] {
  const commands: string[] = []
  let current: string | undefined
  for (const line of text.split('\n')) {
    if (current !== undefined) current += `\n${line}`
    else if (line.startsWith('curl ')) current = line
    if (current !== undefined && !line.endsWith('\\')) {
      commands.push(current)
      current = undefined
    }
  }
  return commands
}

function normalize(command: string): string {
  return command.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim()
}

async function rejection(promise: Promise<unknown>): Promise<oauth.ResponseBodyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(oauth.ResponseBodyError)
  return error as oauth.ResponseBodyError
}

describe.each(FRAMEWORKS)('the demo server on %s, driven over HTTP by oauth4webapi', (framework) => {
  let demo: DemoServer
  let as: oauth.AuthorizationServer
  let callback: string
  const spa: oauth.Client = { client_id: 'demo-spa', token_endpoint_auth_method: 'none' }
  const web: oauth.Client = { client_id: 'demo-web' }
  const webAuth = oauth.ClientSecretBasic('demo-web-secret')

  beforeAll(async () => {
    demo = await startDemo({ port: 0, host: '127.0.0.1', framework, onError: (error) => console.error(error) })
    const issuer = new URL(demo.issuer)
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }))
    callback = `${demo.issuer}/callback`
  })
  afterAll(async () => {
    await demo?.close()
  })

  it('serves OpenID Connect Discovery and RFC 8414 metadata naming every flow and endpoint', async () => {
    expect(as.issuer).toBe(demo.issuer)
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'revocation_endpoint', 'introspection_endpoint', 'device_authorization_endpoint'] as const) {
      expect(as[endpoint], endpoint).toMatch(new RegExp(`^${demo.issuer}/`))
    }
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']),
    )
    expect(as.code_challenge_methods_supported).toEqual(['S256'])
    expect(as.authorization_response_iss_parameter_supported).toBe(true)
    const issuer = new URL(demo.issuer)
    const rfc8414 = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
    expect(rfc8414.token_endpoint).toBe(as.token_endpoint)
  })

  it('walks authorization code + PKCE + OpenID Connect with the public client: ID token, UserInfo, /api/me', async () => {
    const { tokens, idToken } = await authorizationCodeFlow(as, spa, oauth.None(), callback, 'openid profile email offline_access')
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.scope).toBe('openid profile email offline_access')
    expect(tokens.refresh_token).toEqual(expect.any(String))
    expect(idToken).toMatchObject({ iss: demo.issuer, sub: 'user-alice', aud: 'demo-spa', amr: ['pwd'] })
    expect(idToken?.auth_time).toEqual(expect.any(Number))

    // OIDC Core §5.3: the claims the scopes release, for the ID token's subject.
    const userInfo = await oauth.processUserInfoResponse(as, spa, idToken!.sub, await oauth.userInfoRequest(as, spa, tokens.access_token, insecure))
    expect(userInfo).toEqual({ sub: 'user-alice', name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', preferred_username: 'alice', locale: 'en-GB', email: 'alice@example.org', email_verified: true })

    // RFC 9068: the access token, as a resource server validates it, and as /api/me returns it.
    const request = new Request(`${demo.issuer}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    const claims = await oauth.validateJwtAccessToken(as, request, demo.issuer, insecure)
    expect(claims).toMatchObject({ sub: 'user-alice', client_id: 'demo-spa' })
    const me = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${demo.issuer}/api/me`), undefined, undefined, insecure)
    expect(me.status).toBe(200)
    expect(await me.json()).toEqual(claims)
  })

  it('prints a banner whose curl commands work as pasted, and a callback page with the code exchange', async () => {
    const banner = formatBanner(demo)
    expect(banner).toContain(demo.issuer)
    for (const client of demo.config.clients) expect(banner).toContain(client.client_id)
    for (const user of demo.config.users) expect(banner).toContain(`${user.username} / ${user.password}`)
    const commands = curlCommands(banner)
    const command = (fragment: string) => {
      const found = commands.find((c) => c.includes(fragment))
      expect(found, `a curl command with ${fragment}`).toBeDefined()
      return found!
    }

    const service = await runCurl(command('grant_type=client_credentials'))
    expect(service.status).toBe(200)
    const serviceToken = ((await service.json()) as { access_token: string }).access_token
    expect((await runCurl(command('/api/me'), { ACCESS_TOKEN: serviceToken })).status).toBe(200)

    // The printed authorization URL, in a browser: a wrong password first, then bob.
    expect(banner).toContain(demo.walkthrough.authorizationUrl)
    const browser = new Browser()
    const signIn = await browser.get(demo.walkthrough.authorizationUrl!)
    const again = await browser.submit(signIn, { username: 'alice', password: 'not-her-password' })
    expect(again.status).toBe(401)
    expect(again.body).toContain('name="password"')
    const consent = await browser.submit(again, { username: 'bob', password: 'builder' })
    const redirect = await browser.submit(consent, { oauth2_decision: 'allow' })
    const location = redirect.headers.get('location')!
    expect(location.startsWith(`${demo.issuer}/callback?`)).toBe(true)
    const code = new URL(location).searchParams.get('code')!
    const page = await browser.get(location)
    expect(page.status).toBe(200)
    const pageCommand = decodeHtml(/<pre>([^<]*)<\/pre>/.exec(page.body)![1]!)
    const exchange = command('grant_type=authorization_code')
    expect(normalize(pageCommand)).toBe(normalize(exchange.replace('$CODE', code)))

    const tokens = await runCurl(exchange, { CODE: code })
    expect(tokens.status).toBe(200)
    const { access_token, refresh_token } = (await tokens.json()) as { access_token: string; refresh_token: string }
    const refreshed = await runCurl(command('grant_type=refresh_token'), { REFRESH_TOKEN: refresh_token })
    expect(refreshed.status).toBe(200)
    const current = (await refreshed.json()) as { access_token: string; refresh_token: string }
    const userInfo = await runCurl(command('/oauth2/userinfo'), { ACCESS_TOKEN: current.access_token })
    expect(await userInfo.json()).toMatchObject({ sub: 'user-bob', name: 'Bob Builder' })
    const introspection = await runCurl(command('/oauth2/introspect'), { ACCESS_TOKEN: current.access_token })
    expect(await introspection.json()).toMatchObject({ active: true, sub: 'user-bob' })
    expect((await runCurl(command('/oauth2/revoke'), { REFRESH_TOKEN: current.refresh_token })).status).toBe(200)
    expect((await runCurl(command('/api/me'), { ACCESS_TOKEN: current.access_token })).status).toBe(401)
    expect(access_token).not.toBe(current.access_token)

    const start = await runCurl(command('/oauth2/device_authorization'))
    expect(start.status).toBe(200)
    const { device_code } = (await start.json()) as { device_code: string }
    const poll = await runCurl(command('device_code=$DEVICE_CODE'), { DEVICE_CODE: device_code })
    expect(await poll.json()).toMatchObject({ error: 'authorization_pending' })
  })

  it('rotates refresh tokens and revokes the grant when a used one comes back (RFC 9700 §4.14)', async () => {
    const { tokens, idToken } = await authorizationCodeFlow(as, web, webAuth, callback, 'openid profile offline_access api:read')
    const refreshed = await oauth.processRefreshTokenResponse(as, web, await oauth.refreshTokenGrantRequest(as, web, webAuth, tokens.refresh_token!, insecure))
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect(refreshed.refresh_token).toEqual(expect.any(String))
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    // OIDC Core §12.2: a new ID token for the same user.
    expect(oauth.getValidatedIdTokenClaims(refreshed)?.sub).toBe(idToken!.sub)
    expect((await getMe(demo, refreshed.access_token)).status).toBe(200)

    const reuse = await rejection(oauth.processRefreshTokenResponse(as, web, await oauth.refreshTokenGrantRequest(as, web, webAuth, tokens.refresh_token!, insecure)))
    expect(reuse.error).toBe('invalid_grant')
    const revoked = await rejection(oauth.processRefreshTokenResponse(as, web, await oauth.refreshTokenGrantRequest(as, web, webAuth, refreshed.refresh_token!, insecure)))
    expect(revoked.error).toBe('invalid_grant')
    expect((await getMe(demo, refreshed.access_token)).status).toBe(401)
  })

  it('introspects (RFC 7662) and revokes (RFC 7009) tokens', async () => {
    const { tokens } = await authorizationCodeFlow(as, web, webAuth, callback, 'openid offline_access api:read')
    const introspect = async (token: string) => oauth.processIntrospectionResponse(as, web, await oauth.introspectionRequest(as, web, webAuth, token, insecure))
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, client_id: 'demo-web', sub: 'user-alice', scope: 'openid offline_access api:read', iss: demo.issuer })
    expect(await introspect(tokens.refresh_token!)).toMatchObject({ active: true, client_id: 'demo-web' })

    // An access token alone: it stops working, the refresh token does not.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, web, webAuth, tokens.access_token, { ...insecure, additionalParameters: { token_type_hint: 'access_token' } }))
    expect(await introspect(tokens.access_token)).toEqual({ active: false })
    const me = await getMe(demo, tokens.access_token)
    expect(me.status).toBe(401)
    expect(me.headers.get('www-authenticate')).toContain('error="invalid_token"')
    const refreshed = await oauth.processRefreshTokenResponse(as, web, await oauth.refreshTokenGrantRequest(as, web, webAuth, tokens.refresh_token!, insecure))

    // A refresh token: its whole grant.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, web, webAuth, refreshed.refresh_token!, insecure))
    expect(await introspect(refreshed.refresh_token!)).toEqual({ active: false })
    expect(await introspect(refreshed.access_token)).toEqual({ active: false })
    expect((await getMe(demo, refreshed.access_token)).status).toBe(401)
  })

  it('issues client_credentials tokens to the service client, which /api/me accepts', async () => {
    const service: oauth.Client = { client_id: 'demo-service' }
    const serviceAuth = oauth.ClientSecretBasic('demo-service-secret')
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      service,
      await oauth.clientCredentialsGrantRequest(as, service, serviceAuth, { scope: 'api:read' }, insecure),
    )
    expect(tokens.scope).toBe('api:read')
    expect(tokens.refresh_token).toBeUndefined()
    const me = await getMe(demo, tokens.access_token)
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ iss: demo.issuer, sub: 'demo-service', client_id: 'demo-service', scope: 'api:read' })

    const wrong = await oauth
      .clientCredentialsGrantRequest(as, service, oauth.ClientSecretBasic('wrong'), { scope: 'api:read' }, insecure)
      .then((response) => oauth.processClientCredentialsResponse(as, service, response))
      .catch((error: unknown) => error)
    expect(wrong).toBeInstanceOf(oauth.WWWAuthenticateChallengeError)
    expect((wrong as oauth.WWWAuthenticateChallengeError).status).toBe(401)
  })

  it('walks the device flow (RFC 8628): codes, authorization_pending, the verification page, tokens', async () => {
    const device: oauth.Client = { client_id: 'demo-device', token_endpoint_auth_method: 'none' }
    const codes = await oauth.processDeviceAuthorizationResponse(
      as,
      device,
      await oauth.deviceAuthorizationRequest(as, device, oauth.None(), { scope: 'openid profile offline_access' }, insecure),
    )
    expect(codes.verification_uri).toBe(`${demo.issuer}/oauth2/device`)
    const poll = async () => oauth.processDeviceCodeResponse(as, device, await oauth.deviceCodeGrantRequest(as, device, oauth.None(), codes.device_code, insecure))
    expect((await rejection(poll())).error).toBe('authorization_pending')

    // The person, on another screen: the code, sign-in, consent.
    const browser = new Browser()
    const codePage = await browser.get(codes.verification_uri)
    expect(codePage.status).toBe(200)
    expect(codePage.body).toContain('name="user_code"')
    const signIn = await browser.submit(codePage, { user_code: codes.user_code })
    const consent = await browser.submit(signIn, { username: 'bob', password: 'builder' })
    expect(consent.body).toContain('oauth2_decision')
    const done = await browser.submit(consent, { oauth2_decision: 'allow' })
    expect(done.status).toBe(200)

    const tokens = await poll()
    expect(tokens.scope).toBe('openid profile offline_access')
    expect(tokens.refresh_token).toEqual(expect.any(String))
    const idToken = oauth.getValidatedIdTokenClaims(tokens)
    expect(idToken).toMatchObject({ sub: 'user-bob', aud: 'demo-device' })
    const userInfo = await oauth.processUserInfoResponse(as, device, 'user-bob', await oauth.userInfoRequest(as, device, tokens.access_token, insecure))
    expect(userInfo).toEqual({ sub: 'user-bob', name: 'Bob Builder', given_name: 'Bob', family_name: 'Builder', preferred_username: 'bob' })
    const me = await getMe(demo, tokens.access_token)
    expect(await me.json()).toMatchObject({ sub: 'user-bob', client_id: 'demo-device' })
    // The device code is redeemed once.
    expect((await rejection(poll())).error).toBe('invalid_grant')
  })

  it('answers /api/me without a valid access token with the RFC 6750 §3 challenge', async () => {
    const none = await getMe(demo)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe(`Bearer realm="${demo.issuer}"`)
    const forged = await getMe(demo, 'not-a-token-this-server-issued')
    expect(forged.status).toBe(401)
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"')
    const form = await fetch(`${demo.issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM }, body: 'grant_type=client_credentials' })
    expect(form.status).toBe(401)
  })
})
