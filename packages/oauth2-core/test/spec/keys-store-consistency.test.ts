import { calculateJwkThumbprint, CompactSign, compactVerify, exportJWK, generateKeyPair, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { InMemoryKeyStore, type KeyRotationOptions, type KeyStore, type SigningAlgorithm, type StoredSigningKey } from '@x/oauth2-core'
import { KeyManager } from '../../src/tokens/key-manager.js'
import { testClock } from '../fixtures/request.js'

const START = Date.UTC(2026, 0, 1, 12)
const MINUTE = 60_000
const ROTATION: KeyRotationOptions = { intervalMs: 60 * MINUTE, prepublishMs: 10 * MINUTE, retentionMs: 30 * MINUTE }

type Clock = ReturnType<typeof testClock>

function manager(store: KeyStore, clock: Clock, algorithms: SigningAlgorithm[], rotation?: KeyRotationOptions): KeyManager {
  return new KeyManager({ store, algorithms, now: clock.now, ...(rotation !== undefined ? { rotation } : {}) })
}

/** Holds callers while closed; counts who waits. */
class Gate {
  waiting = 0
  #open = true
  #waiters: (() => void)[] = []
  close(): void {
    this.#open = false
  }
  open(): void {
    this.#open = true
    for (const wake of this.#waiters.splice(0)) wake()
  }
  async pass(): Promise<void> {
    if (this.#open) return
    this.waiting++
    await new Promise<void>((resolve) => this.#waiters.push(resolve))
    this.waiting--
  }
}

/**
 * One instance's connection to a shared InMemoryKeyStore, with a database's latency under the test's
 * control: list() reads when called and answers when its gate opens; put() writes when its gate opens.
 */
class ControlledKeyStore implements KeyStore {
  readonly lists = new Gate()
  readonly puts = new Gate()
  reads = 0
  constructor(readonly inner: InMemoryKeyStore) {}
  async list(): Promise<StoredSigningKey[]> {
    this.reads++
    const snapshot = await this.inner.list()
    await this.lists.pass()
    return snapshot
  }
  async put(key: StoredSigningKey): Promise<void> {
    await this.puts.pass()
    await this.inner.put(key)
  }
  delete(kid: string): Promise<void> {
    return this.inner.delete(kid)
  }
}

/** A store that also returns entries nobody should have put there (a corrupt or hostile store). */
class HostileKeyStore extends InMemoryKeyStore {
  constructor(readonly extra: unknown[]) {
    super()
  }
  override async list(): Promise<StoredSigningKey[]> {
    return [...(await super.list()), ...(this.extra as StoredSigningKey[])]
  }
}

/** Lets pending promise chains and timers of zero length run until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 1))
  expect(done()).toBe(true)
}

async function storedKey(alg: SigningAlgorithm, activatesAt: number): Promise<StoredSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
  const publicJwk = await exportJWK(publicKey)
  return { kid: await calculateJwkThumbprint(publicJwk), alg, privateJwk: await exportJWK(privateKey), publicJwk, createdAt: activatesAt, activatesAt }
}

async function weakRsaKey(activatesAt: number): Promise<StoredSigningKey> {
  const params = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
  const { privateKey, publicKey } = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair
  const publicJwk = await exportJWK(publicKey)
  return { kid: await calculateJwkThumbprint(publicJwk), alg: 'RS256', privateJwk: await exportJWK(privateKey), publicJwk, createdAt: activatesAt, activatesAt }
}

async function publishedKids(keys: KeyManager): Promise<string[]> {
  return (await keys.jwks()).keys.map((k) => k.kid!).sort()
}

/** Whether the manager's verification key for `kid` checks a signature its signing key made. */
async function signsAndVerifies(keys: KeyManager, alg: SigningAlgorithm): Promise<boolean> {
  const { kid, key } = await keys.signingKey(alg)
  const jws = await new CompactSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg, kid }).sign(key)
  try {
    await compactVerify(jws, keys.getVerificationKey)
    return true
  } catch {
    return false
  }
}

describe('OIDC Core §10.1.1 rotateKeys() and checkAndRotateKeys() against a key-store read in flight', () => {
  it('rotateKeys() returns only once the new key signs, though a read begun before its write was in flight', async () => {
    const clock = testClock(START)
    const store = new ControlledKeyStore(new InMemoryKeyStore())
    const keys = manager(store, clock, ['ES256'])
    const compromised = (await keys.signingKey('ES256')).kid
    clock.advance(1_000)
    store.puts.close()
    const rotation = keys.rotateNow()
    await until(() => store.puts.waiting === 1)
    // A token naming an unknown kid starts a read now, before the new key is written.
    store.lists.close()
    const unknown = keys.getVerificationKey({ alg: 'ES256', kid: 'made-up' }).catch(() => undefined)
    await until(() => store.lists.waiting === 1)
    store.puts.open()
    await until(() => store.puts.waiting === 0)
    await new Promise((resolve) => setTimeout(resolve, 5))
    store.lists.open()
    await rotation
    await unknown
    expect((await keys.signingKey('ES256')).kid).not.toBe(compromised)
  })

  it('checkAndRotateKeys() does the due maintenance though a plain read was in flight', async () => {
    const clock = testClock(START)
    const store = new ControlledKeyStore(new InMemoryKeyStore())
    const keys = manager(store, clock, ['ES256'], ROTATION)
    await keys.signingKey('ES256')
    clock.set(START + 49 * MINUTE)
    await keys.jwks()
    store.lists.close()
    const unknown = keys.getVerificationKey({ alg: 'ES256', kid: 'made-up' }).catch(() => undefined)
    await until(() => store.lists.waiting === 1)
    // The successor is due now (interval - prepublish); the read in flight started before.
    clock.set(START + 50 * MINUTE)
    const check = keys.checkAndRotateKeys()
    await new Promise((resolve) => setTimeout(resolve, 5))
    store.lists.open()
    await check
    await unknown
    expect(await store.inner.list()).toHaveLength(2)
  })
})

describe('Key import failures (RFC 7517 §4)', () => {
  it('imports a key again once the store repairs it: a failed import is not remembered', async () => {
    const clock = testClock(START)
    const store = new InMemoryKeyStore()
    const good = await storedKey('ES256', START - 1_000)
    await store.put({ ...good, privateJwk: { ...good.privateJwk, d: 'AA' } })
    const keys = manager(store, clock, ['ES256'])
    await expect(keys.signingKey('ES256')).rejects.toThrow()
    await store.put(good)
    await keys.checkAndRotateKeys()
    expect((await keys.signingKey('ES256')).kid).toBe(good.kid)
    expect(await signsAndVerifies(keys, 'ES256')).toBe(true)
  })
})

describe('Unknown kids (RFC 7515 §4.1.4): key-store reads they may cause', () => {
  it('re-reads the key store for unknown kids at most once per 30 s, and finds a new real kid within 30 s', async () => {
    const clock = testClock(START)
    const inner = new InMemoryKeyStore()
    const store = new ControlledKeyStore(inner)
    const keys = manager(store, clock, ['ES256'])
    await keys.signingKey('ES256')
    // Past the first key's settling minute, so only unknown kids cause reads.
    const t = START + 2 * MINUTE
    clock.set(t)
    await keys.jwks()
    store.reads = 0
    const junk = (i: number) => keys.getVerificationKey({ alg: 'ES256', kid: `junk-${i}` }).then(() => 'found', () => 'refused')
    expect(new Set(await Promise.all(Array.from({ length: 50 }, (_, i) => junk(i))))).toEqual(new Set(['refused']))
    for (let i = 50; i < 100; i++) expect(await junk(i)).toBe('refused')
    expect(store.reads).toBe(1)

    // Another instance rotates meanwhile: its key is found at the next read, 30 s after the last one at most.
    const other = manager(inner, clock, ['ES256'])
    await other.rotateNow()
    const fresh = (await other.signingKey('ES256')).kid
    clock.set(t + 30_000 - 1)
    expect(await keys.getVerificationKey({ alg: 'ES256', kid: fresh }).then(() => true, () => false)).toBe(false)
    expect(store.reads).toBe(1)
    clock.set(t + 30_000)
    expect(await keys.getVerificationKey({ alg: 'ES256', kid: fresh }).then(() => true, () => false)).toBe(true)
    expect(store.reads).toBe(2)
  })
})

describe('RFC 7517 §4, §4.5 / RFC 7518 §3.3 entries of a corrupt or hostile key store', () => {
  it('publishes only well-formed RS256, ES256 and EdDSA keys, once per kid, and never throws on a malformed entry', async () => {
    const clock = testClock(START)
    const good = await storedKey('ES256', START - 1_000)
    const ed = await storedKey('EdDSA', START - 1_000)
    const secret: JWK = { kty: 'oct', k: 'c2VjcmV0' }
    const store = new HostileKeyStore([
      null,
      42,
      'key',
      { kid: 'hmac', alg: 'HS256', privateJwk: secret, publicJwk: secret, createdAt: START - 1, activatesAt: START - 1 },
      { ...good, kid: 'wrong-kty', publicJwk: { ...good.publicJwk, kty: 'RSA' } },
      { ...ed, kid: 'wrong-crv', alg: 'EdDSA', publicJwk: { ...ed.publicJwk, crv: 'X25519' } },
      { ...good, kid: 'no-times', activatesAt: undefined },
      { ...good, kid: 'no-public', publicJwk: null },
      good,
      { ...good, activatesAt: START - 500 },
    ])
    const keys = manager(store, clock, ['ES256'])
    const { keys: published } = await keys.jwks()
    expect(published.map((k) => [k.kid, k.kty, k.alg])).toEqual([[good.kid, 'EC', 'ES256']])
    expect((await keys.signingKey('ES256')).kid).toBe(good.kid)
    expect(await signsAndVerifies(keys, 'ES256')).toBe(true)
    await expect(keys.getVerificationKey({ alg: 'HS256', kid: 'hmac' })).rejects.toThrow()
  })

  it('never publishes an RSA key under 2048 bits, and never signs with it', async () => {
    const clock = testClock(START)
    const store = new InMemoryKeyStore()
    const weak = await weakRsaKey(START - 1_000)
    await store.put(weak)
    const keys = manager(store, clock, ['RS256'])
    expect((await keys.jwks()).keys).toEqual([])
    // It stays its chain's signing key, so the failure (and its reason) shows instead of a silent new key.
    const { key } = await keys.signingKey('RS256')
    await expect(new CompactSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'RS256' }).sign(key)).rejects.toThrow(/2048/)
    await expect(keys.getVerificationKey({ alg: 'RS256', kid: weak.kid })).rejects.toThrow()
  })
})

describe('Key stores shared by several instances: a chain started by two at once', () => {
  it('converges within a second on one signing key and one JWKS, which no cache may keep meanwhile', async () => {
    const clock = testClock(START)
    const inner = new InMemoryKeyStore()
    const storeA = new ControlledKeyStore(inner)
    const storeB = new ControlledKeyStore(inner)
    const a = manager(storeA, clock, ['ES256'])
    const b = manager(storeB, clock, ['ES256'])
    storeA.puts.close()
    storeB.puts.close()
    const signA = a.signingKey('ES256')
    const signB = b.signingKey('ES256')
    // Both found the chain empty and generated a first key; a writes and re-reads before b writes.
    await until(() => storeA.puts.waiting === 1 && storeB.puts.waiting === 1)
    storeA.puts.open()
    const kidA = (await signA).kid
    storeB.puts.open()
    await signB
    const both = (await inner.list()).map((k) => k.kid).sort()
    expect(both).toHaveLength(2)
    expect(await publishedKids(b)).toEqual(both)
    expect(await publishedKids(a)).toEqual([kidA])
    // a's copy lacks b's key: no cache may keep it.
    expect(a.jwksMaxAge).toBe(0)

    clock.advance(1_000)
    expect(await publishedKids(a)).toEqual(await publishedKids(b))
    expect((await a.signingKey('ES256')).kid).toBe((await b.signingKey('ES256')).kid)
    for (const kid of both) {
      for (const keys of [a, b]) await expect(keys.getVerificationKey({ alg: 'ES256', kid })).resolves.toBeDefined()
    }

    clock.set(START + MINUTE)
    await a.jwks()
    expect(a.jwksMaxAge).toBe(300)
  })
})

describe('OIDC Core §10.1.1 retirement of a chain whose algorithm is no longer configured', () => {
  it('retires the keys of an algorithm configured off, retentionMs after their successor would have started', async () => {
    const clock = testClock(START)
    const store = new InMemoryKeyStore()
    const before = manager(store, clock, ['RS256'], ROTATION)
    const old = (await before.signingKey('RS256')).kid
    // The provider is redeployed with setSigningAlgorithm('ES256') on the same store.
    const after = manager(store, clock, ['ES256'], ROTATION)
    clock.set(START + 90 * MINUTE - 1)
    await after.checkAndRotateKeys()
    expect((await after.jwks()).keys.map((k) => k.kid)).toContain(old)
    await expect(after.getVerificationKey({ alg: 'RS256', kid: old })).resolves.toBeDefined()

    clock.set(START + 90 * MINUTE)
    await after.checkAndRotateKeys()
    expect((await after.jwks()).keys.map((k) => k.alg)).toEqual(['ES256'])
    expect((await store.list()).map((k) => k.alg)).toEqual(['ES256'])
    await expect(after.getVerificationKey({ alg: 'RS256', kid: old })).rejects.toThrow()
  })

  it('keeps publishing a chain another instance maintains for a client registered for its algorithm (ID tokens)', async () => {
    const clock = testClock(START)
    const store = new InMemoryKeyStore()
    const signer = manager(store, clock, ['RS256'], ROTATION)
    const other = manager(store, clock, ['RS256'], ROTATION)
    await signer.signingKey('ES256')
    clock.set(START + 55 * MINUTE)
    await signer.signingKey('ES256')
    clock.set(START + 95 * MINUTE)
    const current = (await signer.signingKey('ES256')).kid
    expect((await other.jwks()).keys.map((k) => k.kid)).toContain(current)
    await expect(other.getVerificationKey({ alg: 'ES256', kid: current })).resolves.toBeDefined()
  })
})
