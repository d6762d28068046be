import { describe, expect, it } from 'vitest'
import { MemoryStore, OAuth2AuthorizationCodeBuilder, type ClientMetadata } from '@x/oauth2-core'
import { runStoreContract } from '@x/oauth2-core/testing'
import { basicAuth, ISSUER, postToken, testClock } from '../fixtures/request.js'

const CLIENTS: ClientMetadata[] = [
  { client_id: 'app', client_secret: 'app-secret', grant_types: ['authorization_code', 'refresh_token'], scope: 'read' },
  { client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['https://spa.example.com/cb'] },
]

runStoreContract(({ now }) => new MemoryStore({ now, clients: CLIENTS }), { name: 'MemoryStore: the OAuth2Store contract', clients: CLIENTS })

runStoreContract(() => new MemoryStore(), { name: 'MemoryStore on real time: the OAuth2Store contract', clock: 'real', ttlMs: 50 })

describe('MemoryStore expiry: no unbounded growth', () => {
  it('drops expired entries: the map stays near the number of live entries', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    for (let i = 0; i < 20_000; i++) {
      await store.set('replay', `jti-${i}`, {}, clock.now() + 1000)
      clock.advance(10)
    }
    // At most 100 entries are alive at once (1 s lifetime, one write per 10 ms); sweeps every
    // 1,000 writes and at twice the last size keep the map within a small multiple of that.
    expect(store.size).toBeLessThanOrEqual(1100)
  })

  it('reclaims each expired entry at the next write, however many live entries the store holds', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    for (let i = 0; i < 8_000; i++) await store.set('refresh_token', `live-${i}`, {}, clock.now() + 3_600_000)
    let largest = 0
    for (let i = 0; i < 5_000; i++) {
      await store.set('replay', `jti-${i}`, {}, clock.now() + 1)
      clock.advance(1)
      largest = Math.max(largest, store.size)
    }
    expect(largest).toBe(8_001)
  })

  it('reclaims a mass expiry within a few writes, at most 1,000 entries per write', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    for (let i = 0; i < 5_000; i++) await store.set('access_token', `at-${i}`, { grantId: `g-${i}` }, clock.now() + 1000)
    clock.advance(1000)
    await store.set('replay', 'first', {}, clock.now() + 60_000)
    expect(store.size).toBe(5_001 - 1_000)
    for (let i = 0; i < 4; i++) await store.set('replay', `next-${i}`, {}, clock.now() + 60_000)
    expect(store.size).toBe(5)
  })

  it('drops an expired entry as soon as a read finds it', async () => {
    const clock = testClock()
    const store = new MemoryStore({ now: clock.now })
    await store.set('access_token', 'a', { grantId: 'g' }, clock.now() + 1000)
    expect(store.size).toBe(1)
    clock.advance(1000)
    expect(await store.get('access_token', 'a')).toBeUndefined()
    expect(store.size).toBe(0)
  })

  it('refuses an expiresAt that is not a number', async () => {
    const store = new MemoryStore()
    await expect(store.set('replay', 'x', {}, Number.NaN)).rejects.toThrow(TypeError)
  })
})

describe('MemoryStore clients (RFC 7591 §2 metadata)', () => {
  it('has no findClient without clients, so kaapi-style providers keep unverified credentials', () => {
    expect(new MemoryStore().findClient).toBeUndefined()
  })

  it('serves copies of its clients', async () => {
    const store = new MemoryStore({ clients: CLIENTS })
    const client = (await store.findClient!('app'))!
    client.scope = 'admin'
    expect((await store.findClient!('app'))!.scope).toBe('read')
  })

  it('is the provider client source when the builder has no findClient', async () => {
    const store = new MemoryStore({ clients: CLIENTS })
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setStore(store)
      .tokenRoute((route) => route.generateToken(({ issueTokens, clientAuthenticated }) => (clientAuthenticated ? issueTokens({ sub: 'alice', scope: 'read' }) : null)))
      .build()
    const ok = await postToken(provider, { grant_type: 'authorization_code', code: 'c' }, { authorization: basicAuth('app', 'app-secret') })
    expect(ok.status).toBe(200)
    expect(ok.json['refresh_token']).toBeTypeOf('string')
    const wrong = await postToken(provider, { grant_type: 'authorization_code', code: 'c' }, { authorization: basicAuth('app', 'nope') })
    expect(wrong.status).toBe(401)
    // And the introspection endpoint, which needs a client lookup, is served.
    expect(provider.metadata()['introspection_endpoint']).toBe(`${ISSUER}/oauth2/introspect`)
  })

  it('gives way to the builder findClient', async () => {
    const provider = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setStore(new MemoryStore({ clients: CLIENTS }))
      .findClient((id) => (id === 'app' ? { ...CLIENTS[0]!, client_secret: 'rotated' } : undefined))
      .tokenRoute((route) => route.generateToken(({ issueTokens }) => issueTokens({ sub: 'alice' })))
      .build()
    expect((await postToken(provider, { grant_type: 'authorization_code', code: 'c' }, { authorization: basicAuth('app', 'app-secret') })).status).toBe(401)
    expect((await postToken(provider, { grant_type: 'authorization_code', code: 'c' }, { authorization: basicAuth('app', 'rotated') })).status).toBe(200)
  })
})

describe('MemoryStore values: JSON entries stored and returned as copies', () => {
  it('shares no nested array or object with the caller, in either direction', async () => {
    const store = new MemoryStore()
    const entry = { grantId: 'g', scope: ['read'], claims: { roles: ['a'] } }
    await store.set('access_token', 'x', entry, Date.now() + 60_000)
    entry.scope.push('write')
    entry.claims.roles.push('b')
    const read = (await store.get('access_token', 'x'))!
    expect(read).toEqual({ grantId: 'g', scope: ['read'], claims: { roles: ['a'] } })
    ;(read['scope'] as string[]).push('admin')
    expect((await store.consume('access_token', 'x'))!['scope']).toEqual(['read'])
  })

  it('copies a member named constructor, and values that are not plain data (a Date, a class instance), as structuredClone does', async () => {
    const store = new MemoryStore()
    class Session {
      user = 'u'
    }
    const when = new Date(Date.UTC(2026, 0, 1))
    const entry = { grantId: 'g', constructor: 'kept', claims: { constructor: { deep: ['x'] } }, when, session: new Session() }
    await store.set('access_token', 'x', entry, Date.now() + 60_000)
    entry.claims.constructor.deep.push('y')
    when.setUTCFullYear(2030)
    const read = (await store.get('access_token', 'x'))!
    expect(read).toEqual({ grantId: 'g', constructor: 'kept', claims: { constructor: { deep: ['x'] } }, when: new Date(Date.UTC(2026, 0, 1)), session: { user: 'u' } })
    expect(read['when']).toBeInstanceOf(Date)
    expect(Object.getPrototypeOf(read['session'])).toBe(Object.prototype)
  })

  // Access-token entries and client metadata are copied at spread sites of their own, every other
  // kind through Object.assign (memory-store.ts copyEntry): each path must keep the value contract.
  it.each(['access_token', 'refresh_token', 'authorization_code'])('copies %s entries both ways, nested members included, with a top-level __proto__ kept as a member', async (kind) => {
    const store = new MemoryStore()
    const entry = JSON.parse('{"grantId":"g","iat":1,"at":1764160000123,"aud":["api"],"__proto__":{"admin":true}}') as Record<string, unknown>
    await store.set(kind, 'x', entry, Date.now() + 60_000)
    ;(entry['aud'] as string[]).push('other')
    entry['iat'] = 2
    const read = (await store.get(kind, 'x'))!
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype)
    expect(Object.keys(read)).toEqual(['grantId', 'iat', 'at', 'aud', '__proto__'])
    expect(read['iat']).toBe(1)
    expect(read['aud']).toEqual(['api'])
    expect((read as { admin?: boolean }).admin).toBeUndefined()
    ;(read['aud'] as string[]).push('admin')
    expect((await store.consume(kind, 'x'))!['aud']).toEqual(['api'])
  })

  it('serves client metadata with nested members as copies', async () => {
    const store = new MemoryStore({ clients: [{ client_id: 'app', grant_types: ['client_credentials'], jwks: { keys: [{ kty: 'oct' }] } }] })
    const client = (await store.findClient!('app'))!
    client.grant_types!.push('refresh_token')
    ;(client.jwks as { keys: unknown[] }).keys.push({ kty: 'RSA' })
    const again = (await store.findClient!('app'))!
    expect(again.grant_types).toEqual(['client_credentials'])
    expect((again.jwks as { keys: unknown[] }).keys).toEqual([{ kty: 'oct' }])
  })

  it('keeps a member named __proto__ as a member, never as the prototype', async () => {
    const store = new MemoryStore()
    await store.set('access_token', 'x', JSON.parse('{"grantId":"g","claims":{"__proto__":{"admin":true}}}') as Record<string, unknown>, Date.now() + 60_000)
    const claims = (await store.get('access_token', 'x'))!['claims'] as Record<string, unknown>
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype)
    expect(Object.keys(claims)).toEqual(['__proto__'])
    expect((claims as { admin?: boolean }).admin).toBeUndefined()
  })
})
