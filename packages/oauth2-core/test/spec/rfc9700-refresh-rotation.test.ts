import { createHash } from 'node:crypto'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  MemoryStore,
  type OAuth2Store,
  MultipleFlowsBuilder,
  OAuth2AuthorizationCodeBuilder,
  OAuth2DeviceAuthorizationBuilder,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
} from '@x/oauth2-core'
import { basicAuth, ISSUER, json, postToken, testClock, tokenRequest } from '../fixtures/request.js'
import { APP, authorize, CLIENTS, codeFlow, GRANTED, introspect, OTHER, recordingStore, refresh, slowStore } from '../fixtures/token-management.js'

const SECOND = 1000

describe('RFC 9700 §4.14.2 refresh token rotation', () => {
  it('issues an opaque refresh token of 256 bits with the access token', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider)
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(tokens.refresh_token).not.toContain('.')
  })

  it('rotates the refresh token on every use: each refresh returns a new one', async () => {
    const provider = codeFlow(testClock()).build()
    let token = (await authorize(provider)).refresh_token!
    const seen = new Set([token])
    for (let i = 0; i < 3; i++) {
      const response = await refresh(provider, token)
      expect(response.status).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      token = response.json['refresh_token'] as string
      expect(seen.has(token)).toBe(false)
      seen.add(token)
    }
  })

  it('stores refresh and access tokens only as hashes', async () => {
    const clock = testClock()
    const { store, writes } = recordingStore(clock)
    const provider = codeFlow(clock, store).build()
    const first = await authorize(provider)
    const second = (await refresh(provider, first.refresh_token!)).json
    const dump = JSON.stringify(writes)
    for (const token of [first.access_token, first.refresh_token!, second['access_token'] as string, second['refresh_token'] as string]) {
      expect(dump).not.toContain(token)
    }
    expect(writes.some((w) => w.kind === 'refresh_token')).toBe(true)
  })

  it('keeps the grant through rotation: same user, client and scope', async () => {
    const provider = codeFlow(testClock()).build()
    const first = await authorize(provider)
    const rotated = (await refresh(provider, first.refresh_token!)).json
    expect(rotated['scope']).toBe(GRANTED)
    expect(await introspect(provider, rotated['refresh_token'] as string)).toMatchObject({ active: true, sub: 'alice', client_id: 'app', scope: GRANTED })
    expect(await introspect(provider, rotated['access_token'] as string)).toMatchObject({ active: true, sub: 'alice', client_id: 'app', scope: GRANTED })
  })

  it('revokes the whole grant when a rotated refresh token is used again: every refresh and access token of it', async () => {
    const provider = codeFlow(testClock()).build()
    const first = await authorize(provider)
    const second = (await refresh(provider, first.refresh_token!)).json
    const third = (await refresh(provider, second['refresh_token'] as string)).json

    const reuse = await refresh(provider, first.refresh_token!)
    expect(reuse.status).toBe(400)
    expect(reuse.json['error']).toBe('invalid_grant')

    // The current refresh token of the family is dead too, and so is every access token of it.
    const current = await refresh(provider, third['refresh_token'] as string)
    expect(current.json['error']).toBe('invalid_grant')
    for (const token of [first.access_token, second['access_token'] as string, third['access_token'] as string, third['refresh_token'] as string]) {
      expect(await introspect(provider, token)).toEqual({ active: false })
    }
  })

  it('leaves other grants of the same user and client alone when one grant is revoked', async () => {
    const provider = codeFlow(testClock()).build()
    const victim = await authorize(provider)
    const bystander = await authorize(provider)
    await refresh(provider, victim.refresh_token!)
    await refresh(provider, victim.refresh_token!)
    expect(await introspect(provider, bystander.access_token)).toMatchObject({ active: true })
    expect((await refresh(provider, bystander.refresh_token!)).status).toBe(200)
  })

  it('reports the JWT access tokens of a revoked grant inactive', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).useAccessTokenJwks(true).build()
    const first = await authorize(provider)
    expect(decodeJwt(first.access_token).jti).toBeTypeOf('string')
    const second = (await refresh(provider, first.refresh_token!)).json
    expect(await introspect(provider, second['access_token'] as string)).toMatchObject({ active: true })
    await refresh(provider, first.refresh_token!)
    expect(await introspect(provider, first.access_token)).toEqual({ active: false })
    expect(await introspect(provider, second['access_token'] as string)).toEqual({ active: false })
  })

  it('lets exactly one of two concurrent refreshes with the same token succeed', async () => {
    const provider = codeFlow(testClock()).build()
    const { refresh_token } = await authorize(provider)
    const results = await Promise.all([refresh(provider, refresh_token!), refresh(provider, refresh_token!)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 400])
    expect(results.find((r) => r.status === 400)!.json['error']).toBe('invalid_grant')
  })

  it('lets exactly one succeed when both requests are in flight at once, without revoking the winner', async () => {
    const clock = testClock()
    const provider = codeFlow(clock, slowStore(clock)).build()
    const { refresh_token } = await authorize(provider)
    const results = await Promise.all([refresh(provider, refresh_token!), refresh(provider, refresh_token!)])
    expect(results.map((r) => r.status).sort()).toEqual([200, 400])
    const loser = results.find((r) => r.status === 400)!
    expect(loser.json).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is being used by a concurrent request.' })
    const winner = results.find((r) => r.status === 200)!
    expect((await refresh(provider, winner.json['refresh_token'] as string)).status).toBe(200)
  })

  it('revokes the grant on a reuse once a crashed rotation that could not be undone is old enough', async () => {
    // A store whose refresh-token writes fail: the rotation ends in a 500, and its undo fails too.
    const clock = testClock()
    const inner = new MemoryStore({ now: clock.now })
    let failRotation = false
    const store = {
      ...bind(inner),
      set: async (kind: string, id: string, entry: Record<string, unknown>, expiresAt: number) => {
        if (failRotation && kind === 'refresh_token') throw new Error('store down')
        return inner.set(kind, id, entry, expiresAt)
      },
    }
    const provider = codeFlow(clock, store).onError(() => {}).build()
    const { refresh_token, access_token } = await authorize(provider)
    failRotation = true
    expect((await refresh(provider, refresh_token!)).status).toBe(500)
    failRotation = false
    expect((await refresh(provider, refresh_token!)).json['error_description']).toBe('The refresh token is being used by a concurrent request.')
    expect(await introspect(provider, access_token)).toMatchObject({ active: true })
    clock.advance(11 * SECOND)
    expect((await refresh(provider, refresh_token!)).json['error']).toBe('invalid_grant')
    expect(await introspect(provider, access_token)).toEqual({ active: false })
  })
})

describe('RFC 9700 §4.14.2 grace window for a lost response (setRefreshTokenGracePeriod)', () => {
  function graceFlow(clock: ReturnType<typeof testClock>, seconds = 30) {
    return codeFlow(clock).setRefreshTokenGracePeriod(seconds).build()
  }

  it('answers one retry of a just-rotated token with a fresh pair, and the first pair stops working', async () => {
    const clock = testClock()
    const provider = graceFlow(clock)
    const { refresh_token } = await authorize(provider)
    const lost = (await refresh(provider, refresh_token!)).json
    clock.advance(10 * SECOND)
    const retry = await refresh(provider, refresh_token!)
    expect(retry.status).toBe(200)
    expect(retry.json['refresh_token']).not.toBe(lost['refresh_token'])
    expect(await introspect(provider, lost['access_token'] as string)).toEqual({ active: false })
    expect(await introspect(provider, lost['refresh_token'] as string)).toEqual({ active: false })
    expect(await introspect(provider, retry.json['access_token'] as string)).toMatchObject({ active: true })
    expect((await refresh(provider, retry.json['refresh_token'] as string)).status).toBe(200)
  })

  it('answers only one retry: a second one revokes the grant', async () => {
    const clock = testClock()
    const provider = graceFlow(clock)
    const { refresh_token } = await authorize(provider)
    await refresh(provider, refresh_token!)
    const retry = (await refresh(provider, refresh_token!)).json
    const again = await refresh(provider, refresh_token!)
    expect(again.json['error']).toBe('invalid_grant')
    expect((await refresh(provider, retry['refresh_token'] as string)).json['error']).toBe('invalid_grant')
  })

  it('revokes the grant when the token comes back after the window', async () => {
    const clock = testClock()
    const provider = graceFlow(clock, 30)
    const { refresh_token } = await authorize(provider)
    const next = (await refresh(provider, refresh_token!)).json
    clock.advance(30 * SECOND)
    expect((await refresh(provider, refresh_token!)).json['error']).toBe('invalid_grant')
    expect((await refresh(provider, next['refresh_token'] as string)).json['error']).toBe('invalid_grant')
  })

  it('revokes the grant when the successor was already used: the response was not lost', async () => {
    const clock = testClock()
    const provider = graceFlow(clock)
    const { refresh_token } = await authorize(provider)
    const second = (await refresh(provider, refresh_token!)).json
    const third = (await refresh(provider, second['refresh_token'] as string)).json
    expect((await refresh(provider, refresh_token!)).json['error']).toBe('invalid_grant')
    expect((await refresh(provider, third['refresh_token'] as string)).json['error']).toBe('invalid_grant')
  })

  it('treats a use of the pair replaced by a retry as a reuse', async () => {
    const clock = testClock()
    const provider = graceFlow(clock)
    const { refresh_token } = await authorize(provider)
    const lost = (await refresh(provider, refresh_token!)).json
    const retry = (await refresh(provider, refresh_token!)).json
    expect((await refresh(provider, lost['refresh_token'] as string)).json['error']).toBe('invalid_grant')
    expect((await refresh(provider, retry['refresh_token'] as string)).json['error']).toBe('invalid_grant')
  })

  it('has no grace window by default: a retry right after rotation revokes the grant', async () => {
    const provider = codeFlow(testClock()).build()
    const { refresh_token } = await authorize(provider)
    const next = (await refresh(provider, refresh_token!)).json
    expect((await refresh(provider, refresh_token!)).json['error']).toBe('invalid_grant')
    expect((await refresh(provider, next['refresh_token'] as string)).json['error']).toBe('invalid_grant')
  })

  it.each([-1, 1.5, 301, Number.NaN])('refuses a grace period of %s seconds at configuration time', (seconds) => {
    expect(() => OAuth2AuthorizationCodeBuilder.create().setRefreshTokenGracePeriod(seconds)).toThrow(/setRefreshTokenGracePeriod/)
  })
})

describe('RFC 6749 §6 / §10.4 refresh tokens are bound to their client', () => {
  it('refuses the refresh token of another client with invalid_grant, without consuming it', async () => {
    const provider = codeFlow(testClock()).build()
    const { refresh_token } = await authorize(provider)
    const stolen = await refresh(provider, refresh_token!, OTHER)
    expect(stolen.status).toBe(400)
    expect(stolen.json).toEqual({ error: 'invalid_grant', error_description: 'The refresh token was not issued to this client.' })
    expect((await refresh(provider, refresh_token!)).status).toBe(200)
  })

  it('binds a public client refresh token to its client_id', async () => {
    const provider = codeFlow(testClock()).build()
    const { refresh_token } = await authorize(provider, {}, 'code-', { client_id: 'spa' })
    expect((await refresh(provider, refresh_token!, {}, { client_id: 'spa' })).status).toBe(200)
    expect((await refresh(provider, refresh_token!, APP)).json['error']).toBe('invalid_grant')
  })

  it('refuses a confidential client refresh token presented with only its client_id (no client lookup)', async () => {
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .addClientAuthenticationMethod('client_secret_basic')
      .addClientAuthenticationMethod('none')
      .tokenRoute((route) => route.generateToken(({ issueTokens, clientAuthenticated }) => issueTokens({ sub: 'alice', refreshToken: !clientAuthenticated })))
      .build()
    const tokens = (await postToken(provider, { grant_type: 'authorization_code', code: 'c' }, { authorization: basicAuth('app', 'whatever') })).json
    expect(tokens['refresh_token']).toBeTypeOf('string')
    const bare = await refresh(provider, tokens['refresh_token'] as string, {}, { client_id: 'app' })
    expect(bare.json['error']).toBe('invalid_grant')
    // And the core does not take an unverified secret for a verified one.
    const basic = await refresh(provider, tokens['refresh_token'] as string, { authorization: basicAuth('app', 'whatever') })
    expect(basic.status).toBe(401)
    expect(basic.json['error']).toBe('invalid_client')
  })

  it('refuses an unknown refresh token with invalid_grant', async () => {
    const provider = codeFlow(testClock()).build()
    const response = await refresh(provider, 'not-a-token')
    expect(response.json).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or revoked.' })
  })
})

describe('RFC 6749 §6 scope of a refresh', () => {
  it('narrows the access token scope on request, and keeps the refresh token scope', async () => {
    const provider = codeFlow(testClock()).build()
    const { refresh_token } = await authorize(provider)
    const narrowed = await refresh(provider, refresh_token!, APP, { scope: 'read' })
    expect(narrowed.json['scope']).toBe('read')
    expect(await introspect(provider, narrowed.json['access_token'] as string)).toMatchObject({ scope: 'read' })
    const full = await refresh(provider, narrowed.json['refresh_token'] as string)
    expect(full.json['scope']).toBe(GRANTED)
  })

  it('refuses a wider scope with invalid_scope, without consuming the token', async () => {
    const provider = codeFlow(testClock()).build()
    const { refresh_token } = await authorize(provider)
    const wider = await refresh(provider, refresh_token!, APP, { scope: 'read admin' })
    expect(wider.status).toBe(400)
    expect(wider.json).toEqual({ error: 'invalid_scope', error_description: 'The requested scope exceeds the scope originally granted: admin.' })
    expect((await refresh(provider, refresh_token!)).status).toBe(200)
  })
})

describe('RFC 9700 §4.14.2 refresh token lifetimes (setRefreshTokenTtl)', () => {
  it('expires a refresh token left unused for the idle lifetime', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).setRefreshTokenTtl(100, 1000).build()
    const { refresh_token } = await authorize(provider)
    clock.advance(100 * SECOND)
    expect((await refresh(provider, refresh_token!)).json['error']).toBe('invalid_grant')
  })

  it('renews the idle lifetime on rotation but never the absolute one', async () => {
    const clock = testClock()
    const provider = codeFlow(clock).setRefreshTokenTtl(400, 1000).build()
    let token = (await authorize(provider)).refresh_token!
    for (let i = 0; i < 3; i++) {
      clock.advance(300 * SECOND)
      const response = await refresh(provider, token)
      expect(response.status).toBe(200)
      token = response.json['refresh_token'] as string
    }
    // 900 s in: the token was issued 0 s ago, yet the family ends at 1000 s.
    expect(await introspect(provider, token)).toMatchObject({ active: true, exp: Math.floor(clock.now() / 1000) + 100 })
    clock.advance(100 * SECOND)
    expect((await refresh(provider, token)).json['error']).toBe('invalid_grant')
  })
})

describe('OpenID Connect Core §11 offline_access and §12.2 refresh responses', () => {
  function oidcFlow(clock: ReturnType<typeof testClock>) {
    return OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .findClient((id) => CLIENTS[id])
      .setScopes({ profile: 'Profile', offline_access: 'Offline' })
      .tokenRoute((route) => route.generateToken(({ code, issueTokens }) => issueTokens({ sub: 'alice', scope: code.replace(/\+/g, ' '), nonce: 'n-1', authTime: 1_700_000_000 })))
      .build()
  }

  it('issues no refresh token for openid without offline_access', async () => {
    const provider = oidcFlow(testClock())
    const tokens = await authorize(provider, APP, 'openid+profile')
    expect(tokens.id_token).toBeTypeOf('string')
    expect(tokens.refresh_token).toBeUndefined()
  })

  it('issues one with offline_access; the refresh returns a new ID token for the same user, without nonce', async () => {
    const provider = oidcFlow(testClock())
    const tokens = await authorize(provider, APP, 'openid+offline_access')
    expect(tokens.refresh_token).toBeTypeOf('string')
    expect(decodeJwt(tokens.id_token!)).toMatchObject({ sub: 'alice', nonce: 'n-1' })
    const refreshed = (await refresh(provider, tokens.refresh_token!)).json
    const idToken = decodeJwt(refreshed['id_token'] as string)
    expect(idToken).toMatchObject({ sub: 'alice', aud: 'app', iss: ISSUER, auth_time: 1_700_000_000 })
    expect(idToken).not.toHaveProperty('nonce')
  })

  it('issues no refresh token to a client that did not register the refresh_token grant type', async () => {
    const provider = codeFlow(testClock()).build()
    const tokens = await authorize(provider, { authorization: basicAuth('legacy', 'legacy-secret') })
    expect(tokens.refresh_token).toBeUndefined()
  })
})

describe('refreshTokenRoute(generateToken) takes over the refresh grant', () => {
  it('runs the user handler, and the core then issues no refresh tokens of its own', async () => {
    const provider = codeFlow(testClock())
      .refreshTokenRoute((route) => route.generateToken(({ refreshToken }) => new OAuth2TokenResponse({ access_token: `from-${refreshToken}` })))
      .build()
    const tokens = await authorize(provider)
    expect(tokens.refresh_token).toBeUndefined()
    expect((await refresh(provider, 'mine')).json['access_token']).toBe('from-mine')
  })

  it('serves the core default at a custom path with refreshTokenRoute(route => route.setPath(...))', async () => {
    const provider = codeFlow(testClock())
      .tokenRoute((route) => route.setPath('/token'))
      .refreshTokenRoute((route) => route.setPath('/token'))
      .build()
    const { refresh_token } = json(await provider.handle(tokenRequest({ grant_type: 'authorization_code', code: 'code-' }, APP, `${ISSUER}/token`))) as { refresh_token: string }
    expect((await provider.handle(tokenRequest({ grant_type: 'refresh_token', refresh_token }, APP, `${ISSUER}/token`))).status).toBe(200)
  })
})

describe('MultipleFlowsBuilder: the core refresh grant next to a user refresh handler', () => {
  it('routes each refresh token to the flow that understands it', async () => {
    const clock = testClock()
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .findClient((id) => CLIENTS[id])
      .add(
        OAuth2AuthorizationCodeBuilder.create().tokenRoute((route) => route.generateToken(({ issueTokens }) => issueTokens({ sub: 'alice', scope: 'read' }))),
      )
      .add(
        OAuth2DeviceAuthorizationBuilder.create()
          .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'device' })))
          .refreshTokenRoute((route) => route.generateToken(({ refreshToken }) => (refreshToken === 'device-rt' ? new OAuth2TokenResponse({ access_token: 'device-refresh' }) : null))),
      )
      .build()
    const { refresh_token } = await authorize(provider)
    const core = await refresh(provider, refresh_token!)
    expect(core.status).toBe(200)
    expect(core.json['refresh_token']).toBeTypeOf('string')
    expect((await refresh(provider, 'device-rt')).json['access_token']).toBe('device-refresh')
  })
})

/** The store's methods bound to it, so they can be spread into a wrapper. */
function bind(store: MemoryStore) {
  return {
    set: store.set.bind(store),
    setIfAbsent: store.setIfAbsent.bind(store),
    get: store.get.bind(store),
    consume: store.consume.bind(store),
    delete: store.delete.bind(store),
    revokeGrant: store.revokeGrant.bind(store),
  }
}

describe('RFC 9700 §4.14.2 reuse detection is reported', () => {
  it('hands onSecurityEvent a refresh_token_reuse event when a rotated token comes back', async () => {
    const events: unknown[] = []
    const clock = testClock()
    const provider = codeFlow(clock).onSecurityEvent((event) => events.push(event)).build()
    const first = await authorize(provider)
    const rotated = await refresh(provider, first.refresh_token!)
    expect(rotated.status).toBe(200)
    expect(events).toEqual([])
    const reused = await refresh(provider, first.refresh_token!)
    expect(reused.json['error']).toBe('invalid_grant')
    expect(events).toEqual([{ type: 'refresh_token_reuse', clientId: 'app', grantId: expect.any(String), at: clock.now() }])
  })

  it('keeps answering invalid_grant when the security hook throws, and reports the throw to onError', async () => {
    const errors: unknown[] = []
    const provider = codeFlow(testClock())
      .onSecurityEvent(() => {
        throw new Error('pager down')
      })
      .onError((error) => errors.push(error))
      .build()
    const first = await authorize(provider)
    await refresh(provider, first.refresh_token!)
    const reused = await refresh(provider, first.refresh_token!)
    expect(reused.status).toBe(400)
    expect(reused.json['error']).toBe('invalid_grant')
    expect(errors).toHaveLength(1)
  })
})

/**
 * A MemoryStore that fails once, at the operation `failNext` names (a database hiccup), after
 * running `meanwhile` (what a concurrent request did in the meantime).
 */
function flakyStore(clock: ReturnType<typeof testClock>) {
  const inner = new MemoryStore({ now: clock.now })
  let failure: { op: string; kind: string; meanwhile?: () => Promise<void> } | undefined
  const writes: Array<{ kind: string; id: string; grantId: unknown }> = []
  const guard = async (op: string, kind: string) => {
    if (failure === undefined || failure.op !== op || failure.kind !== kind) return
    const { meanwhile } = failure
    failure = undefined
    await meanwhile?.()
    throw new Error(`store down (${op} ${kind})`)
  }
  const store: OAuth2Store = {
    set: async (kind, id, entry, expiresAt) => {
      await guard('set', kind)
      writes.push({ kind, id, grantId: entry['grantId'] })
      return inner.set(kind, id, entry, expiresAt)
    },
    setIfAbsent: (kind, id, entry, expiresAt) => inner.setIfAbsent(kind, id, entry, expiresAt),
    get: async (kind, id) => {
      await guard('get', kind)
      return inner.get(kind, id)
    },
    consume: (kind, id) => inner.consume(kind, id),
    delete: (kind, id) => inner.delete(kind, id),
    revokeGrant: (grantId) => inner.revokeGrant(grantId),
  }
  return {
    store,
    inner,
    writes,
    failNext(op: 'get' | 'set', kind: string, meanwhile?: () => Promise<void>) {
      failure = { op, kind, ...(meanwhile !== undefined ? { meanwhile } : {}) }
    },
  }
}

describe('RFC 9700 §4.14.2 a rotation that fails midway is undone', () => {
  it('puts the presented token back when the rotation fails after recording its successor: the retry rotates it, the grant lives', async () => {
    const clock = testClock()
    const flaky = flakyStore(clock)
    const errors: unknown[] = []
    const provider = codeFlow(clock, flaky.store).onError((error) => errors.push(error)).build()
    const first = await authorize(provider)
    const before = flaky.writes.length
    // The revocation check runs after the successor is recorded on the presented token.
    flaky.failNext('get', 'revoked_grant')
    const failed = await refresh(provider, first.refresh_token!)
    expect(failed.status).toBe(500)
    expect(errors.map((e) => (e as Error).message)).toEqual(['store down (get revoked_grant)'])

    // The successor's tokens, never delivered, are gone.
    const successor = flaky.writes.slice(before).filter((w) => w.kind === 'refresh_token')
    expect(successor.length).toBeGreaterThan(0)
    const presentedId = successor.at(-1)!.id
    for (const write of successor.filter((w) => w.id !== presentedId)) expect(await flaky.inner.get('refresh_token', write.id)).toBeUndefined()

    const retry = await refresh(provider, first.refresh_token!)
    expect(retry.status).toBe(200)
    expect(await introspect(provider, first.access_token)).toMatchObject({ active: true })
    expect((await refresh(provider, retry.json['refresh_token'] as string)).status).toBe(200)
  })

  it('puts the presented token back when the rotation fails at its first write: the retry is not refused as concurrent', async () => {
    const clock = testClock()
    const flaky = flakyStore(clock)
    const provider = codeFlow(clock, flaky.store).onError(() => {}).build()
    const first = await authorize(provider)
    flaky.failNext('set', 'access_token')
    expect((await refresh(provider, first.refresh_token!)).status).toBe(500)
    const retry = await refresh(provider, first.refresh_token!)
    expect(retry.status).toBe(200)
    // Presenting the token once more is a reuse, as for any rotated token.
    expect((await refresh(provider, first.refresh_token!)).json['error']).toBe('invalid_grant')
  })

  it('keeps a grant revoked while the rotation failed revoked: the presented token is not put back', async () => {
    const clock = testClock()
    const flaky = flakyStore(clock)
    const provider = codeFlow(clock, flaky.store).onError(() => {}).build()
    const first = await authorize(provider)
    const grantId = flaky.writes.find((w) => w.kind === 'refresh_token')!.grantId as string
    // Meanwhile another request revoked the grant, as revokeGrant() does: marker first, then delete.
    flaky.failNext('get', 'revoked_grant', async () => {
      await flaky.inner.set('revoked_grant', grantId, { revokedAt: clock.now() }, clock.now() + 3_600_000)
      await flaky.inner.revokeGrant(grantId)
    })
    expect((await refresh(provider, first.refresh_token!)).status).toBe(500)
    // Not even for a moment until the next request: the store holds nothing of the grant.
    const presentedId = createHash('sha256').update(first.refresh_token!).digest('base64url')
    expect(await flaky.inner.get('refresh_token', presentedId)).toBeUndefined()
    expect((await refresh(provider, first.refresh_token!)).json['error']).toBe('invalid_grant')
    expect(await introspect(provider, first.access_token)).toEqual({ active: false })
  })
})
