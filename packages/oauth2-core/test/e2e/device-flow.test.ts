import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { describe, expect, it } from 'vitest'
import { OIDCDeviceAuthorizationBuilder, type ClientMetadata, type OAuth2Provider } from '@x/oauth2-core'
import { Browser, decide, DEVICE_GRANT, enterCode, hiddenFields, signIn } from '../fixtures/device-flow.js'
import { FORM, ISSUER, json, postToken, testClock } from '../fixtures/request.js'

const TV: ClientMetadata = {
  client_id: 'tv-app',
  client_name: 'Living Room TV',
  token_endpoint_auth_method: 'none',
  grant_types: [DEVICE_GRANT, 'refresh_token'],
}
const USERS: Record<string, string> = { alice: 'wonderland' }

/** The server of docs/device-authorization.md. */
function buildServer(clock: ReturnType<typeof testClock>) {
  return OIDCDeviceAuthorizationBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .findClient((id) => (id === TV.client_id ? TV : undefined))
    .addClientAuthenticationMethod('none')
    .setScopes({ profile: 'Your name', offline_access: 'Stay signed in on the TV' })
    .setDeviceCodeTtl(600)
    .setPollingInterval(5)
    .verificationRoute((route) =>
      route.authenticateUser(({ username, password }) => (USERS[username] === password ? { sub: `user-${username}`, amr: ['pwd'] } : null)),
    )
    .build()
}

interface TokenResponse {
  access_token: string
  token_type: string
  expires_in: number
  refresh_token?: string
  id_token?: string
  scope?: string
}

/**
 * The polling client of docs/device-authorization.md (RFC 8628 §3.5): waits `interval` seconds
 * between polls, adds 5 seconds on `slow_down`, keeps going on `authorization_pending`, stops on
 * anything else. `send` is `fetch` in the docs; here it is the provider.
 */
async function pollForTokens(
  send: (params: Record<string, string>) => Promise<{ ok: boolean; body: Record<string, unknown> }>,
  deviceCode: string,
  clientId: string,
  interval: number,
  sleep: (ms: number) => Promise<void>,
): Promise<TokenResponse> {
  let wait = interval
  for (;;) {
    await sleep(wait * 1000)
    const { ok, body } = await send({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: clientId })
    if (ok) return body as unknown as TokenResponse
    if (body['error'] === 'authorization_pending') continue
    if (body['error'] === 'slow_down') {
      wait += 5
      continue
    }
    throw new Error(`device authorization failed: ${String(body['error'])}`)
  }
}

function sender(provider: OAuth2Provider, log: string[] = []) {
  return async (params: Record<string, string>) => {
    const result = await provider.handle({ method: 'POST', url: `${ISSUER}/oauth2/token`, headers: { 'content-type': FORM }, body: new URLSearchParams(params).toString() })
    const body = json(result)
    log.push(result.status === 200 ? 'tokens' : String(body['error']))
    return { ok: result.status === 200, body }
  }
}

async function startOnDevice(provider: OAuth2Provider, scope: string) {
  const result = await provider.handle({
    method: 'POST',
    url: `${ISSUER}/oauth2/device_authorization`,
    headers: { 'content-type': FORM },
    body: new URLSearchParams({ client_id: TV.client_id, scope }).toString(),
  })
  expect(result.status).toBe(200)
  return json(result) as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; expires_in: number; interval: number }
}

/** The user, on a phone: opens the link, confirms the code, signs in, allows (or denies). */
async function userOnPhone(provider: OAuth2Provider, link: string, decision: 'allow' | 'deny') {
  const phone = new Browser(provider, '198.51.100.20')
  const page = await phone.get(link)
  expect(page.status).toBe(200)
  const typed = /name="user_code" value="([^"]*)"/.exec(page.body)![1]!
  const login = await phone.post(`${ISSUER}/oauth2/device`, { ...hiddenFields(page.body), user_code: typed })
  expect(login.body).toContain('name="password"')
  const consent = await signIn(phone, login)
  expect(consent.body).toContain('Living Room TV')
  return decide(phone, consent, decision)
}

describe('device authorization grant, end to end (RFC 8628)', () => {
  it('walks device authorization -> polling -> user approval on the verification page -> tokens -> refresh', async () => {
    const clock = testClock()
    const provider = buildServer(clock)
    const discovery = json(await provider.handle({ method: 'GET', url: `${ISSUER}/.well-known/openid-configuration`, headers: {} }))
    expect(discovery['device_authorization_endpoint']).toBe(`${ISSUER}/oauth2/device_authorization`)
    expect(discovery['grant_types_supported']).toContain(DEVICE_GRANT)

    // 1. The TV asks for codes and shows the user where to go.
    const codes = await startOnDevice(provider, 'openid profile offline_access')
    expect(codes.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(codes.verification_uri).toBe(`${ISSUER}/oauth2/device`)

    // 2. The TV polls; 12 seconds in, the user approves on the phone.
    const log: string[] = []
    let waited = 0
    let approved = false
    const sleep = async (ms: number) => {
      clock.advance(ms)
      waited += ms
      if (!approved && waited >= 12_000) {
        approved = true
        const done = await userOnPhone(provider, codes.verification_uri_complete, 'allow')
        expect(done.body).toContain('Device connected')
      }
    }
    const tokens = await pollForTokens(sender(provider, log), codes.device_code, TV.client_id, codes.interval, sleep)
    expect(log).toEqual(['authorization_pending', 'authorization_pending', 'tokens'])

    // 3. The tokens: a JWT access token the resource server accepts, an ID token, a refresh token.
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'openid profile offline_access' })
    const api = await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${tokens.access_token}` } }, { scopes: ['profile'] })
    expect(api.ok).toBe(true)
    const jwks = createLocalJWKSet((await provider.jwks()) as JSONWebKeySet)
    const { payload: idToken } = await jwtVerify(tokens.id_token!, jwks, { issuer: ISSUER, audience: TV.client_id, currentDate: new Date(clock.now()) })
    expect(idToken).toMatchObject({ sub: 'user-alice', amr: ['pwd'] })
    const refreshed = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: TV.client_id })
    expect(refreshed.status).toBe(200)
    expect(refreshed.json['refresh_token']).not.toBe(tokens.refresh_token)

    // 4. The device code is spent.
    const again = await sender(provider)({ grant_type: DEVICE_GRANT, device_code: codes.device_code, client_id: TV.client_id })
    expect(again.body['error']).toBe('invalid_grant')
  })

  it('slows down a client that polls too fast, and the client that honours slow_down still gets its tokens', async () => {
    const clock = testClock()
    const provider = buildServer(clock)
    const codes = await startOnDevice(provider, 'profile')
    const log: string[] = []
    let waited = 0
    let approved = false
    const sleep = async (ms: number) => {
      clock.advance(ms)
      waited += ms
      if (!approved && waited >= 30_000) {
        approved = true
        await userOnPhone(provider, codes.verification_uri_complete, 'allow')
      }
    }
    // A client that starts at 1 second instead of the announced 5.
    const tokens = await pollForTokens(sender(provider, log), codes.device_code, TV.client_id, 1, sleep)
    expect(tokens.access_token).toBeTruthy()
    // t=1 s: the first poll is never throttled. t=2: slow_down, the server's interval becomes 10 s
    // and the client's wait 6 s; t=8: slow_down (15 s vs 11 s); t=19: slow_down (20 s vs 16 s): a
    // client that started too fast stays behind, and is slowed down on every poll. At t=35 the user
    // has approved, and an approved code is answered whatever the pace.
    expect(log).toEqual(['authorization_pending', 'slow_down', 'slow_down', 'slow_down', 'tokens'])
  })

  it('stops polling with access_denied when the user denies', async () => {
    const clock = testClock()
    const provider = buildServer(clock)
    const codes = await startOnDevice(provider, 'profile')
    let denied = false
    const sleep = async (ms: number) => {
      clock.advance(ms)
      if (!denied) {
        denied = true
        expect((await userOnPhone(provider, codes.verification_uri_complete, 'deny')).body).toContain('Access denied')
      }
    }
    await expect(pollForTokens(sender(provider), codes.device_code, TV.client_id, codes.interval, sleep)).rejects.toThrow(/access_denied/)
  })

  it('stops polling with expired_token when nobody approves in time', async () => {
    const clock = testClock()
    const provider = buildServer(clock)
    const codes = await startOnDevice(provider, 'profile')
    const log: string[] = []
    const sleep = async (ms: number) => clock.advance(ms)
    await expect(pollForTokens(sender(provider, log), codes.device_code, TV.client_id, codes.interval, sleep)).rejects.toThrow(/expired_token/)
    expect(log).toHaveLength(codes.expires_in / codes.interval)
    // The user arrives too late: the page refuses the code.
    const late = await enterCode(new Browser(provider), codes.user_code)
    expect(late.status).toBe(400)
  })
})
