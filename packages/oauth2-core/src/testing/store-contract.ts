import { describe, expect, it } from 'vitest'
import type { ClientMetadata } from '../client-auth/client-metadata.js'
import type { OAuth2Store, StoredEntry } from '../stores/oauth2-store.js'

/** What {@link runStoreContract} gives the store factory. */
export interface StoreContractContext {
  /**
   * The clock the store must use, epoch milliseconds. The suite moves it to test expiry; a store
   * that cannot take a clock (a database with server-side TTLs) runs with `clock: 'real'`.
   */
  now: () => number
}

/** Options of {@link runStoreContract}. */
export interface StoreContractOptions {
  /** The `describe` title; default `'OAuth2Store contract'`. */
  name?: string
  /**
   * `'injected'` (default): the store uses `context.now`, and expiry is tested by moving that clock.
   * `'real'`: the store keeps real time; expiry tests wait `ttlMs` for real.
   */
  clock?: 'injected' | 'real'
  /** Lifetime of the entries of the expiry tests, ms (default 1000; raise it for coarse TTLs). */
  ttlMs?: number
  /** Concurrent calls in the atomicity tests (default 25). */
  concurrency?: number
  /** Clients the store serves through `findClient`; with them, the suite checks `findClient` too. */
  clients?: readonly ClientMetadata[]
  /** Called after each test with the store it used (close connections, drop keys). */
  cleanup?: (store: OAuth2Store) => Promise<void> | void
  /** Timeout of each test, ms (default 20,000). */
  timeout?: number
}

/**
 * Registers, with vitest, the tests an {@link OAuth2Store} must pass: values round-trip as copies,
 * kinds are separate key spaces, expired entries behave as missing ones, `consume` and
 * `setIfAbsent` are atomic under concurrent calls, `revokeGrant` removes exactly one grant's
 * entries, and the optional `findClient` returns registered clients. Ids and grant ids are random,
 * so a factory may hand out the same underlying database every time.
 *
 * @example
 * ```ts
 * // redis-store.test.ts
 * import { runStoreContract } from '@x/oauth2-core/testing'
 * runStoreContract(() => new RedisStore(redis), { name: 'RedisStore', clock: 'real' })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export function runStoreContract(factory: (context: StoreContractContext) => OAuth2Store | Promise<OAuth2Store>, options: StoreContractOptions = {}): void {
  const ttl = options.ttlMs ?? 1000
  const concurrency = options.concurrency ?? 25
  const timeout = options.timeout ?? 20_000
  const realTime = options.clock === 'real'

  /** One test's store, clock and unique ids. */
  async function setup() {
    let offset = 0
    const now = realTime ? () => Date.now() : () => Date.now() + offset
    const store = await factory({ now })
    const prefix = `contract-${crypto.randomUUID()}`
    return {
      store,
      now,
      id: (name: string) => `${prefix}-${name}`,
      /** Lets `ms` pass for the store. */
      async advance(ms: number) {
        if (realTime) await new Promise((resolve) => setTimeout(resolve, ms))
        else offset += ms
      },
    }
  }

  /** A test with its own store, cleaned up after. */
  function test(title: string, body: (t: Awaited<ReturnType<typeof setup>>) => Promise<void>) {
    it(
      title,
      async () => {
        const t = await setup()
        try {
          await body(t)
        } finally {
          await options.cleanup?.(t.store)
        }
      },
      timeout,
    )
  }

  describe(options.name ?? 'OAuth2Store contract', () => {
    describe('values', () => {
      test('get returns what set saved', async ({ store, now, id }) => {
        const entry = { grantId: id('g'), text: 'héllo ✓ 秘密', n: 42.5, ok: true, none: null, list: ['a', 1, { deep: [true] }], nested: { a: { b: 'c' } } }
        await store.set('refresh_token', id('a'), entry, now() + 60_000)
        expect(await store.get('refresh_token', id('a'))).toEqual(entry)
      })

      test('keeps values apart from the objects callers hold', async ({ store, now, id }) => {
        const entry: StoredEntry = { list: ['a'], nested: { v: 1 } }
        await store.set('access_token', id('a'), entry, now() + 60_000)
        ;(entry['list'] as string[]).push('changed')
        const read = (await store.get('access_token', id('a')))!
        ;(read['nested'] as { v: number }).v = 2
        expect(await store.get('access_token', id('a'))).toEqual({ list: ['a'], nested: { v: 1 } })
      })

      test('returns undefined for an id never saved', async ({ store, id }) => {
        expect(await store.get('authorization_code', id('missing'))).toBeUndefined()
      })

      test('keeps each kind in its own key space', async ({ store, now, id }) => {
        await store.set('authorization_code', id('same'), { kind: 'code' }, now() + 60_000)
        await store.set('refresh_token', id('same'), { kind: 'refresh' }, now() + 60_000)
        expect(await store.get('authorization_code', id('same'))).toEqual({ kind: 'code' })
        expect(await store.get('refresh_token', id('same'))).toEqual({ kind: 'refresh' })
        await store.delete('authorization_code', id('same'))
        expect(await store.get('refresh_token', id('same'))).toEqual({ kind: 'refresh' })
      })

      test('set replaces an entry', async ({ store, now, id }) => {
        await store.set('device_code', id('a'), { status: 'pending' }, now() + 60_000)
        await store.set('device_code', id('a'), { status: 'approved' }, now() + 60_000)
        expect(await store.get('device_code', id('a'))).toEqual({ status: 'approved' })
      })

      test('delete removes an entry, and deleting a missing one is fine', async ({ store, now, id }) => {
        await store.set('access_token', id('a'), { v: 1 }, now() + 60_000)
        await store.delete('access_token', id('a'))
        await store.delete('access_token', id('never'))
        expect(await store.get('access_token', id('a'))).toBeUndefined()
      })
    })

    describe('expiry', () => {
      test('an entry disappears once its expiresAt has passed, for every operation', async ({ store, now, id, advance }) => {
        const expiresAt = now() + ttl
        await store.set('authorization_code', id('a'), { v: 1 }, expiresAt)
        await store.set('authorization_code', id('b'), { v: 2 }, expiresAt)
        await store.set('replay', id('c'), {}, expiresAt)
        expect(await store.get('authorization_code', id('a'))).toEqual({ v: 1 })
        await advance(ttl + (realTime ? 100 : 0))
        expect(await store.get('authorization_code', id('a'))).toBeUndefined()
        expect(await store.consume('authorization_code', id('b'))).toBeUndefined()
        expect(await store.setIfAbsent('replay', id('c'), {}, now() + 60_000)).toBe(true)
      })

      test('an entry whose expiresAt is already past is never visible', async ({ store, now, id }) => {
        await store.set('access_token', id('a'), { v: 1 }, now() - 1)
        expect(await store.get('access_token', id('a'))).toBeUndefined()
        expect(await store.setIfAbsent('replay', id('b'), {}, now() - 1)).toBe(true)
        expect(await store.setIfAbsent('replay', id('b'), {}, now() + 60_000)).toBe(true)
      })

      test('consume keeps the expiry: a consumed entry still expires', async ({ store, now, id, advance }) => {
        await store.set('authorization_code', id('a'), { v: 1 }, now() + ttl)
        expect((await store.consume('authorization_code', id('a')))?.consumedAt).toBeUndefined()
        expect((await store.get('authorization_code', id('a')))?.consumedAt).toBeTypeOf('number')
        await advance(ttl + (realTime ? 100 : 0))
        expect(await store.get('authorization_code', id('a'))).toBeUndefined()
      })
    })

    describe('setIfAbsent', () => {
      test('saves only when no live entry has the id', async ({ store, now, id }) => {
        expect(await store.setIfAbsent('replay', id('jti'), { first: true }, now() + 60_000)).toBe(true)
        expect(await store.setIfAbsent('replay', id('jti'), { first: false }, now() + 60_000)).toBe(false)
        expect(await store.get('replay', id('jti'))).toEqual({ first: true })
        await store.delete('replay', id('jti'))
        expect(await store.setIfAbsent('replay', id('jti'), { again: true }, now() + 60_000)).toBe(true)
      })

      test(`is atomic: of ${concurrency} concurrent calls on one id exactly one saves`, async ({ store, now, id }) => {
        const results = await Promise.all(Array.from({ length: concurrency }, (_, i) => store.setIfAbsent('replay', id('race'), { i }, now() + 60_000)))
        expect(results.filter(Boolean)).toHaveLength(1)
        const winner = results.indexOf(true)
        expect(await store.get('replay', id('race'))).toEqual({ i: winner })
      })
    })

    describe('consume', () => {
      test('the first call gets the entry unconsumed, every later one sees consumedAt', async ({ store, now, id }) => {
        const entry = { grantId: id('g'), scope: ['openid'], clientId: 'app' }
        await store.set('authorization_code', id('code'), entry, now() + 60_000)
        expect(await store.consume('authorization_code', id('code'))).toEqual(entry)
        const second = await store.consume('authorization_code', id('code'))
        expect(second).toMatchObject(entry)
        expect(second?.consumedAt).toBeTypeOf('number')
        const third = await store.consume('authorization_code', id('code'))
        expect(third?.consumedAt).toBe(second?.consumedAt)
        expect(await store.get('authorization_code', id('code'))).toEqual({ ...entry, consumedAt: second?.consumedAt })
      })

      test('returns undefined for a missing id', async ({ store, id }) => {
        expect(await store.consume('refresh_token', id('missing'))).toBeUndefined()
      })

      test(`is atomic: of ${concurrency} concurrent calls on one id exactly one sees it unconsumed`, async ({ store, now, id }) => {
        await store.set('refresh_token', id('rt'), { grantId: id('g') }, now() + 60_000)
        const results = await Promise.all(Array.from({ length: concurrency }, () => store.consume('refresh_token', id('rt'))))
        expect(results.every((r) => r !== undefined)).toBe(true)
        expect(results.filter((r) => r?.consumedAt === undefined)).toHaveLength(1)
      })

      test('concurrent calls on different ids each consume their own entry', async ({ store, now, id }) => {
        const ids = Array.from({ length: concurrency }, (_, i) => id(`code-${i}`))
        await Promise.all(ids.map((key) => store.set('authorization_code', key, { key }, now() + 60_000)))
        const results = await Promise.all(ids.map((key) => store.consume('authorization_code', key)))
        expect(results.map((r) => r?.consumedAt)).toEqual(ids.map(() => undefined))
        expect(results.map((r) => r?.['key'])).toEqual(ids)
      })

      test('a set after consume replaces the entry (rotation records its successor this way)', async ({ store, now, id }) => {
        await store.set('refresh_token', id('rt'), { grantId: id('g') }, now() + 60_000)
        await store.consume('refresh_token', id('rt'))
        await store.set('refresh_token', id('rt'), { grantId: id('g'), consumedAt: 1, successorId: 'next' }, now() + 120_000)
        expect(await store.consume('refresh_token', id('rt'))).toEqual({ grantId: id('g'), consumedAt: 1, successorId: 'next' })
      })
    })

    describe('revokeGrant', () => {
      test('removes every entry of the grant, of every kind, consumed or not, and nothing else', async ({ store, now, id }) => {
        const grant = id('grant')
        const later = now() + 60_000
        await store.set('refresh_token', id('rt1'), { grantId: grant }, later)
        await store.set('refresh_token', id('rt2'), { grantId: grant }, later)
        await store.consume('refresh_token', id('rt1'))
        await store.set('access_token', id('at'), { grantId: grant }, later)
        await store.set('authorization_code', id('code'), { grantId: grant }, later)
        await store.set('refresh_token', id('other'), { grantId: id('other-grant') }, later)
        await store.set('revoked_grant', grant, { revokedAt: 1 }, later)
        await store.revokeGrant(grant)
        for (const [kind, key] of [['refresh_token', id('rt1')], ['refresh_token', id('rt2')], ['access_token', id('at')], ['authorization_code', id('code')]] as const) {
          expect(await store.get(kind, key)).toBeUndefined()
        }
        expect(await store.get('refresh_token', id('other'))).toEqual({ grantId: id('other-grant') })
        // An entry without that grantId (the revocation marker, keyed by the grant id) is kept.
        expect(await store.get('revoked_grant', grant)).toEqual({ revokedAt: 1 })
      })

      test('follows an entry replaced under another grant', async ({ store, now, id }) => {
        await store.set('access_token', id('at'), { grantId: id('old') }, now() + 60_000)
        await store.set('access_token', id('at'), { grantId: id('new') }, now() + 60_000)
        await store.revokeGrant(id('old'))
        expect(await store.get('access_token', id('at'))).toEqual({ grantId: id('new') })
        await store.revokeGrant(id('new'))
        expect(await store.get('access_token', id('at'))).toBeUndefined()
      })

      test('removes an entry whose id is its grant id (a client_credentials token is its own grant), with the grant\'s other entries', async ({ store, now, id }) => {
        const grant = id('self')
        const later = now() + 60_000
        await store.set('access_token', grant, { grantId: grant }, later)
        await store.set('refresh_token', id('rt'), { grantId: grant }, later)
        // Same id, another kind, not of that grant (the revocation marker): kept.
        await store.set('revoked_grant', grant, { revokedAt: 1 }, later)
        await store.set('access_token', id('other'), { grantId: id('other') }, later)
        await store.revokeGrant(grant)
        expect(await store.get('access_token', grant)).toBeUndefined()
        expect(await store.get('refresh_token', id('rt'))).toBeUndefined()
        expect(await store.get('revoked_grant', grant)).toEqual({ revokedAt: 1 })
        expect(await store.get('access_token', id('other'))).toEqual({ grantId: id('other') })
      })

      test('follows an entry keyed by its grant id when it is replaced under another grant, and back', async ({ store, now, id }) => {
        const self = id('self')
        await store.set('access_token', self, { grantId: self }, now() + 60_000)
        await store.set('access_token', self, { grantId: id('g2') }, now() + 60_000)
        await store.revokeGrant(self)
        expect(await store.get('access_token', self)).toEqual({ grantId: id('g2') })
        await store.set('access_token', self, { grantId: self }, now() + 60_000)
        await store.revokeGrant(id('g2'))
        expect(await store.get('access_token', self)).toEqual({ grantId: self })
        await store.revokeGrant(self)
        expect(await store.get('access_token', self)).toBeUndefined()
      })

      test('is a no-op for an unknown grant, and keeps entries written afterwards', async ({ store, now, id }) => {
        await store.revokeGrant(id('unknown'))
        await store.set('access_token', id('a'), { grantId: id('g') }, now() + 60_000)
        await store.revokeGrant(id('g'))
        await store.set('access_token', id('b'), { grantId: id('g') }, now() + 60_000)
        expect(await store.get('access_token', id('b'))).toEqual({ grantId: id('g') })
      })
    })

    const clients = options.clients ?? []
    if (clients.length > 0) {
      describe('findClient', () => {
        test('returns registered clients by client_id, and undefined for others', async ({ store }) => {
          expect(store.findClient).toBeTypeOf('function')
          for (const client of clients) expect(await store.findClient!(client.client_id)).toEqual(client)
          expect(await store.findClient!(`unknown-${crypto.randomUUID()}`)).toBeUndefined()
        })
      })
    }
  })
}
