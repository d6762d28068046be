import { decodeJwt } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import {
  MemoryStore,
  OAuth2TokenResponse,
  type ClientMetadata,
  type GenerateToken,
  type OAuth2DeviceAuthTokenParams,
  type StoreKind,
  type StoredEntry,
} from '@x/oauth2-core'
import {
  approve,
  Browser,
  DEVICE_GRANT,
  deviceFlowProvider,
  enterCode,
  poll,
  signIn,
  startDevice,
  type DeviceFlowProviderOptions,
} from '../fixtures/device-flow.js'
import { basicAuth, ISSUER, postToken, testClock } from '../fixtures/request.js'

const clients: Record<string, ClientMetadata> = {
  tv: { client_id: 'tv', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT, 'refresh_token'] },
  radio: { client_id: 'radio', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT] },
  console: { client_id: 'console', client_secret: 'console-secret', grant_types: [DEVICE_GRANT, 'refresh_token'] },
  web: { client_id: 'web', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] },
}

const setup = (options: DeviceFlowProviderOptions = {}) => deviceFlowProvider(clients, options)

describe('RFC 8628 §3.4 device access token request', () => {
  it('requires device_code', async () => {
    const { provider } = setup()
    const { json: body } = await postToken(provider, { grant_type: DEVICE_GRANT, client_id: 'tv' })
    expect(body).toEqual({ error: 'invalid_request', error_description: 'Missing required parameter: device_code.' })
  })

  it('refuses an unknown device_code with invalid_grant', async () => {
    const { provider } = setup()
    const { status, json: body } = await poll(provider, 'not-a-code')
    expect(status).toBe(400)
    expect(body['error']).toBe('invalid_grant')
  })

  it('refuses a device_code issued to another client with invalid_grant', async () => {
    const { provider } = setup()
    const { device_code } = await startDevice(provider)
    const { json: body } = await poll(provider, device_code, { client_id: 'radio' })
    expect(body).toEqual({ error: 'invalid_grant', error_description: 'The device_code was issued to another client.' })
  })

  it('authenticates the client: a confidential client’s wrong secret is invalid_client', async () => {
    const { provider } = setup()
    const { device_code } = await startDevice(provider, {}, { authorization: basicAuth('console', 'console-secret') })
    const bad = await poll(provider, device_code, {}, { authorization: basicAuth('console', 'nope') })
    expect(bad.status).toBe(401)
    expect(bad.json['error']).toBe('invalid_client')
    const good = await poll(provider, device_code, {}, { authorization: basicAuth('console', 'console-secret') })
    expect(good.json['error']).toBe('authorization_pending')
  })

  it('refuses a client not registered for the device grant with unauthorized_client', async () => {
    const { provider } = setup()
    const { json: body } = await poll(provider, 'whatever', { client_id: 'web' })
    expect(body['error']).toBe('unauthorized_client')
  })
})

describe('RFC 8628 §3.5 device access token response', () => {
  it('answers authorization_pending until the user decides, never cached', async () => {
    const { provider, clock } = setup()
    const { device_code, interval } = await startDevice(provider)
    for (let i = 0; i < 3; i++) {
      const result = await poll(provider, device_code)
      expect(result.status).toBe(400)
      expect(result.headers['cache-control']).toBe('no-store')
      expect(result.json['error']).toBe('authorization_pending')
      clock.advance(interval * 1000)
    }
  })

  it('never throttles the first poll, even right after the codes were issued', async () => {
    const { provider } = setup()
    const { device_code } = await startDevice(provider)
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
  })

  it('answers slow_down to a poll sooner than the interval, and adds 5 seconds to the interval each time', async () => {
    const { provider, clock } = setup()
    const { device_code } = await startDevice(provider)
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
    clock.advance(4_000)
    const first = await poll(provider, device_code)
    expect(first.json).toEqual({ error: 'slow_down', error_description: 'Polling too fast: wait at least 10 seconds between requests.' })
    // The new interval (10 s) counts from the poll that was told to slow down.
    clock.advance(9_000)
    expect((await poll(provider, device_code)).json['error']).toBe('slow_down') // interval is now 15 s
    clock.advance(15_000)
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
    clock.advance(14_999)
    expect((await poll(provider, device_code)).json['error']).toBe('slow_down') // 20 s
    clock.advance(20_000)
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
  })

  it('keeps the grown interval for all subsequent requests, across instances sharing the store', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    const a = setup({ store, clock }).provider
    const b = setup({ store, clock }).provider
    const { device_code } = await startDevice(a)
    await poll(a, device_code)
    clock.advance(1_000)
    expect((await poll(b, device_code)).json['error']).toBe('slow_down')
    clock.advance(6_000) // 6 s < the 10 s interval b persisted
    expect((await poll(a, device_code)).json['error']).toBe('slow_down')
  })

  it('counts every concurrent poll, at instances sharing a store with latency: one is on time, each other slows down by 5 more seconds', async () => {
    const clock = testClock()
    /** A store that honours the contract (each call is MemoryStore's, atomic ones stay atomic) but answers late, as a network store does. */
    class SlowStore extends MemoryStore {
      #turn = 0
      async #late<T>(call: () => Promise<T>): Promise<T> {
        const delay = () => new Promise((resolve) => setTimeout(resolve, (this.#turn = (this.#turn * 7 + 3) % 11)))
        await delay()
        const answer = await call()
        await delay()
        return answer
      }
      override get(kind: StoreKind, id: string) {
        return this.#late(() => super.get(kind, id))
      }
      override set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number) {
        return this.#late(() => super.set(kind, id, entry, expiresAt))
      }
      override setIfAbsent(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number) {
        return this.#late(() => super.setIfAbsent(kind, id, entry, expiresAt))
      }
    }
    const store = new SlowStore({ now: clock.now })
    const instances = [setup({ store, clock }).provider, setup({ store, clock }).provider, setup({ store, clock }).provider]
    const { device_code } = await startDevice(instances[0]!)
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => poll(instances[i % 3]!, device_code)))
    expect(answers.filter((a) => a.json['error'] === 'authorization_pending')).toHaveLength(1)
    const waits = answers.filter((a) => a.json['error'] === 'slow_down').map((a) => Number(/(\d+) seconds/.exec(String(a.json['error_description']))![1]))
    // RFC 8628 §3.5: "increased by 5 seconds for this and all subsequent requests": five slow_downs, five increments.
    expect(waits.sort((x, y) => x - y)).toEqual([10, 15, 20, 25, 30])
    // And for all subsequent requests, at any instance: the next one too soon waits 35 seconds.
    clock.advance(60_000)
    expect((await poll(instances[1]!, device_code)).json['error']).toBe('authorization_pending')
    expect((await poll(instances[2]!, device_code)).json['error_description']).toContain('35 seconds')
  })

  it('counts polls per device code: another device’s polls do not slow this one', async () => {
    const { provider, clock } = setup()
    const one = await startDevice(provider)
    const two = await startDevice(provider)
    await poll(provider, one.device_code)
    clock.advance(5_000)
    await poll(provider, two.device_code)
    expect((await poll(provider, one.device_code)).json['error']).toBe('authorization_pending')
  })

  it('answers access_denied after the user denied, on every later poll', async () => {
    const { provider, clock } = setup()
    const { device_code, user_code } = await startDevice(provider)
    await poll(provider, device_code)
    await approve(provider, user_code, 'deny')
    clock.advance(5_000)
    expect((await poll(provider, device_code)).json).toEqual({ error: 'access_denied', error_description: 'The user denied the authorization request.' })
    clock.advance(5_000)
    expect((await poll(provider, device_code)).json['error']).toBe('access_denied')
  })

  it('answers expired_token once expires_in has passed', async () => {
    const { provider, clock } = setup({ configure: (b) => b.setDeviceCodeTtl(120) })
    const { device_code, expires_in } = await startDevice(provider)
    clock.advance(expires_in * 1000 - 1)
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
    clock.advance(1)
    expect((await poll(provider, device_code)).json['error']).toBe('expired_token')
    clock.advance(60_000)
    expect((await poll(provider, device_code)).json['error']).toBe('expired_token')
  })

  it('answers expired_token for an approval the device collects too late', async () => {
    const { provider, clock } = setup({ configure: (b) => b.setDeviceCodeTtl(60) })
    const { device_code, user_code } = await startDevice(provider)
    await approve(provider, user_code)
    clock.advance(60_000)
    expect((await poll(provider, device_code)).json['error']).toBe('expired_token')
  })

  it('issues tokens after approval, even to a poll sooner than the interval', async () => {
    const { provider } = setup()
    const { device_code, user_code } = await startDevice(provider, { client_id: 'tv', scope: 'profile' })
    await poll(provider, device_code)
    await approve(provider, user_code)
    const result = await poll(provider, device_code)
    expect(result.status).toBe(200)
    expect(result.headers['cache-control']).toBe('no-store')
    expect(result.headers['pragma']).toBe('no-cache')
    expect(result.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'profile' })
    expect(typeof result.json['access_token']).toBe('string')
    expect(result.json).not.toHaveProperty('id_token')
  })

  it('makes the device code single use: the next poll is invalid_grant', async () => {
    const { provider, clock } = setup()
    const { device_code, user_code } = await startDevice(provider)
    await approve(provider, user_code)
    expect((await poll(provider, device_code)).status).toBe(200)
    clock.advance(5_000)
    expect((await poll(provider, device_code)).json).toEqual({ error: 'invalid_grant', error_description: 'The device_code has already been used.' })
  })

  it('issues tokens once to two concurrent polls', async () => {
    const { provider } = setup()
    const { device_code, user_code } = await startDevice(provider)
    await approve(provider, user_code)
    const results = await Promise.all([poll(provider, device_code), poll(provider, device_code), poll(provider, device_code)])
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.json['error'] === 'invalid_grant')).toHaveLength(2)
  })

  it('RFC 8628 §3.5: keeps the approval when the tokens cannot be written: the next poll gets them', async () => {
    /** A store whose first access-token write fails, as a store that is briefly down. */
    class FlakyStore extends MemoryStore {
      failures = 1
      override set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number) {
        if (kind === 'access_token' && this.failures > 0) {
          this.failures--
          return Promise.reject(new Error('store unavailable'))
        }
        return super.set(kind, id, entry, expiresAt)
      }
    }
    const clock = testClock()
    const errors: unknown[] = []
    const { provider } = setup({ clock, store: new FlakyStore({ now: clock.now }), configure: (b) => b.onError((error) => errors.push(error)) })
    const { device_code, user_code, interval } = await startDevice(provider, { client_id: 'tv', scope: 'profile offline_access' })
    await approve(provider, user_code)
    const failed = await poll(provider, device_code)
    expect(failed.status).toBe(500)
    expect(failed.json['error']).toBe('server_error')
    expect(errors).toHaveLength(1)
    clock.advance(interval * 1000)
    const retried = await poll(provider, device_code)
    expect(retried.status).toBe(200)
    expect(typeof retried.json['refresh_token']).toBe('string')
    // Single use still holds once the tokens were delivered.
    clock.advance(interval * 1000)
    expect((await poll(provider, device_code)).json['error']).toBe('invalid_grant')
  })

  it('issues the scopes the user granted, not more', async () => {
    const { provider } = setup({ configure: (b) => b.verificationRoute((r) => r.consent(() => ['profile'])) })
    const { device_code, user_code } = await startDevice(provider, { client_id: 'tv', scope: 'profile offline_access' })
    const browser = new Browser(provider)
    const done = await signIn(browser, await enterCode(browser, user_code))
    expect(done.status).toBe(200)
    const result = await poll(provider, device_code)
    expect(result.json['scope']).toBe('profile')
  })

  it('issues a refresh token the refresh_token grant accepts (RFC 6749 §6)', async () => {
    const { provider } = setup()
    const { device_code, user_code } = await startDevice(provider, { client_id: 'tv', scope: 'profile offline_access' })
    await approve(provider, user_code)
    const tokens = await poll(provider, device_code)
    expect(typeof tokens.json['refresh_token']).toBe('string')
    const refreshed = await postToken(provider, { grant_type: 'refresh_token', refresh_token: tokens.json['refresh_token'] as string, client_id: 'tv' })
    expect(refreshed.status).toBe(200)
    expect(refreshed.json['scope']).toBe('profile offline_access')
  })

  it('issues no refresh token to a client not registered for refresh_token', async () => {
    const { provider } = setup()
    const { device_code, user_code } = await startDevice(provider, { client_id: 'radio', scope: 'profile' })
    await approve(provider, user_code)
    const tokens = await poll(provider, device_code, { client_id: 'radio' })
    expect(tokens.status).toBe(200)
    expect(tokens.json).not.toHaveProperty('refresh_token')
  })

  it('issues an ID token on the OIDC variant, with sub, auth_time and aud (OIDC Core §2)', async () => {
    const { provider, clock } = setup({ oidc: true })
    const { device_code, user_code } = await startDevice(provider, { client_id: 'tv', scope: 'openid profile' })
    await approve(provider, user_code)
    const tokens = await poll(provider, device_code)
    expect(tokens.status).toBe(200)
    const idToken = decodeJwt(tokens.json['id_token'] as string)
    expect(idToken).toMatchObject({ iss: ISSUER, sub: 'alice', aud: 'tv', auth_time: Math.floor(clock.now() / 1000), amr: ['pwd'] })
    // OIDC Core §11: openid without offline_access gets no refresh token.
    expect(tokens.json).not.toHaveProperty('refresh_token')
  })

  it('gives a user generateToken the approved authorization, once, after the polling rules', async () => {
    const handler = vi.fn<GenerateToken<OAuth2DeviceAuthTokenParams>>(({ deviceAuthorization }) =>
      new OAuth2TokenResponse({ access_token: `custom-for-${deviceAuthorization?.sub ?? 'nobody'}` }),
    )
    const { provider, clock } = setup({ configure: (b) => b.tokenRoute((r) => r.generateToken(handler)) })
    const { device_code, user_code } = await startDevice(provider, { client_id: 'tv', scope: 'profile' })
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
    expect((await poll(provider, device_code)).json['error']).toBe('slow_down')
    expect(handler).not.toHaveBeenCalled()
    await approve(provider, user_code)
    clock.advance(10_000)
    expect((await poll(provider, device_code)).json['access_token']).toBe('custom-for-alice')
    expect(handler).toHaveBeenCalledOnce()
    expect(handler.mock.calls[0]![0].deviceAuthorization).toMatchObject({ clientId: 'tv', sub: 'alice', scopes: ['profile'] })
  })

  it('passes a device code it did not issue to a user generateToken unchanged (kaapi)', async () => {
    const handler = vi.fn<GenerateToken<OAuth2DeviceAuthTokenParams>>(({ deviceCode }) => new OAuth2TokenResponse({ access_token: `for-${deviceCode}` }))
    const { provider } = setup({ configure: (b) => b.tokenRoute((r) => r.generateToken(handler)) })
    expect((await poll(provider, 'external-code')).json['access_token']).toBe('for-external-code')
    expect(handler.mock.calls[0]![0]).not.toHaveProperty('deviceAuthorization')
  })
})
