import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  InMemoryKeyStore,
  OAuth2AuthorizationCodeBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
  type KeyRotationOptions,
  type KeyStore,
  type OAuth2Provider,
  type SigningAlgorithm,
  type StoredSigningKey,
} from '@x/oauth2-core'
import { basicAuth, ISSUER, json, postToken, testClock } from '../fixtures/request.js'

const START = Date.UTC(2026, 0, 1, 12)
const MINUTE = 60_000
const AUTH = { authorization: basicAuth('client-1', 'secret-1') }
const ROTATION: KeyRotationOptions = { intervalMs: 60 * MINUTE, prepublishMs: 10 * MINUTE, retentionMs: 30 * MINUTE }
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

type Clock = ReturnType<typeof testClock>

/**
 * A provider with JWT access tokens (lifetime 2 h, longer than the retention, so that only the key
 * decides whether an old token verifies) that checks a `refresh_token` with `verifyJwt`.
 */
function provider(clock: Clock, options: { rotation?: KeyRotationOptions; keyStore?: KeyStore; issuer?: string; alg?: SigningAlgorithm } = {}): OAuth2Provider {
  const builder = OAuth2AuthorizationCodeBuilder.create()
    .setIssuer(options.issuer ?? ISSUER)
    .setClock(clock.now)
    .useAccessTokenJwks(true)
    .setTokenTtl(7200)
    .tokenRoute((route) =>
      route.generateToken(async ({ code, createJwtAccessToken }) => {
        const { token } = await createJwtAccessToken!({ sub: code })
        return new OAuth2TokenResponse({ access_token: token })
      }),
    )
    .refreshTokenRoute((route) =>
      route.generateToken(async ({ refreshToken, verifyJwt }) => {
        const payload = await verifyJwt(refreshToken, { typ: 'at+jwt' })
        return new OAuth2TokenResponse({ access_token: 'checked' }).setParameter('valid', payload !== null)
      }),
    )
  if (options.rotation !== undefined) builder.setJwksRotatorOptions(options.rotation)
  if (options.keyStore !== undefined) builder.setJwksKeyStore(options.keyStore)
  if (options.alg !== undefined) builder.setSigningAlgorithm(options.alg)
  return builder.build()
}

async function issue(p: OAuth2Provider, url?: string): Promise<string> {
  const request = { grant_type: 'authorization_code', code: 'user-1' }
  const response = url === undefined ? await postToken(p, request, AUTH) : await postTokenAt(p, url, request)
  expect(response.status).toBe(200)
  return response.json['access_token'] as string
}

async function postTokenAt(p: OAuth2Provider, url: string, params: Record<string, string>) {
  const result = await p.handle({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...AUTH }, body: new URLSearchParams(params).toString() })
  return { ...result, json: json(result) }
}

function kidOf(token: string): string {
  return decodeProtectedHeader(token).kid!
}

/** Whether `verifyJwt` in the provider's handler accepts the token. */
async function acceptedByVerifyJwt(p: OAuth2Provider, token: string): Promise<boolean> {
  const response = await postToken(p, { grant_type: 'refresh_token', refresh_token: token }, AUTH)
  expect(response.status).toBe(200)
  return response.json['valid'] as boolean
}

async function getJwks(p: OAuth2Provider, url = `${ISSUER}/oauth2/keys`) {
  return p.handle({ method: 'GET', url, headers: {} })
}

async function fetchJwks(p: OAuth2Provider, url?: string): Promise<JSONWebKeySet> {
  const result = await getJwks(p, url)
  expect(result.status).toBe(200)
  return json(result) as unknown as JSONWebKeySet
}

async function publishedKids(p: OAuth2Provider): Promise<string[]> {
  return (await fetchJwks(p)).keys.map((k) => k.kid!)
}

/** Whether a resource server holding the JWKS fetched now accepts the token. */
async function acceptedWithJwks(p: OAuth2Provider, token: string, clock: Clock): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(await fetchJwks(p)), { issuer: ISSUER, currentDate: new Date(clock.now()) })
    return true
  } catch {
    return false
  }
}

/** A store that counts writes and may return careless public keys. */
class CountingKeyStore implements KeyStore {
  readonly inner = new InMemoryKeyStore()
  puts = 0
  constructor(private readonly leakPrivateMembers = false) {}
  async list(): Promise<StoredSigningKey[]> {
    const keys = await this.inner.list()
    return this.leakPrivateMembers ? keys.map((k) => ({ ...k, publicJwk: { ...k.privateJwk } })) : keys
  }
  put(key: StoredSigningKey): Promise<void> {
    this.puts++
    return this.inner.put(key)
  }
  delete(kid: string): Promise<void> {
    return this.inner.delete(kid)
  }
}

describe('Signing keys: the first key', () => {
  it('signs at once and is the only key published', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    const token = await issue(p)
    expect(await publishedKids(p)).toEqual([kidOf(token)])
    expect(await acceptedWithJwks(p, token, clock)).toBe(true)
  })

  it('is generated only once per algorithm for concurrent first requests', async () => {
    const clock = testClock(START)
    const store = new CountingKeyStore()
    const p = provider(clock, { keyStore: store })
    const results = await Promise.all([...Array.from({ length: 6 }, () => issue(p)), fetchJwks(p), fetchJwks(p)])
    const tokens = results.slice(0, 6) as string[]
    expect(new Set(tokens.map(kidOf)).size).toBe(1)
    expect(store.puts).toBe(1)
    expect((await store.inner.list()).length).toBe(1)
  })
})

describe('OpenID Connect Core §10.1.1 rotation of asymmetric signing keys', () => {
  it('publishes the next key in the JWKS during the prepublish window, before it signs', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    const first = kidOf(await issue(p))

    clock.set(START + 50 * MINUTE - 1)
    expect(kidOf(await issue(p))).toBe(first)
    expect(await publishedKids(p)).toEqual([first])

    clock.set(START + 50 * MINUTE)
    expect(kidOf(await issue(p))).toBe(first)
    const kids = await publishedKids(p)
    expect(kids).toHaveLength(2)
    // Newest first: the pending key heads the set.
    const next = kids[0]!
    expect(next).not.toBe(first)
    expect(kids[1]).toBe(first)

    clock.set(START + 60 * MINUTE - 1)
    expect(kidOf(await issue(p))).toBe(first)
    clock.set(START + 60 * MINUTE)
    expect(kidOf(await issue(p))).toBe(next)
  })

  it('keeps a superseded key published and verifiable for retentionMs, then drops it', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    await issue(p)
    clock.set(START + 50 * MINUTE)
    await issue(p)
    clock.set(START + 59 * MINUTE)
    const old = await issue(p)

    clock.set(START + 60 * MINUTE)
    const current = await issue(p)
    expect(kidOf(current)).not.toBe(kidOf(old))

    clock.set(START + 90 * MINUTE - 1)
    expect(await publishedKids(p)).toContain(kidOf(old))
    expect(await acceptedWithJwks(p, old, clock)).toBe(true)
    expect(await acceptedByVerifyJwt(p, old)).toBe(true)

    clock.set(START + 90 * MINUTE)
    expect(await publishedKids(p)).toEqual([kidOf(current)])
    expect(await acceptedWithJwks(p, old, clock)).toBe(false)
    expect(await acceptedByVerifyJwt(p, old)).toBe(false)
    expect(await acceptedByVerifyJwt(p, current)).toBe(true)
  })

  it('removes an expired key from the key store', async () => {
    const clock = testClock(START)
    const store = new InMemoryKeyStore()
    const p = provider(clock, { rotation: ROTATION, keyStore: store })
    const first = kidOf(await issue(p))
    clock.set(START + 50 * MINUTE)
    await p.checkAndRotateKeys()
    expect(await store.list()).toHaveLength(2)
    clock.set(START + 90 * MINUTE)
    await p.checkAndRotateKeys()
    const kids = (await store.list()).map((k) => k.kid)
    expect(kids).toHaveLength(1)
    expect(kids).not.toContain(first)
    expect(kids).toEqual(await publishedKids(p))
  })

  it('does not sign with the next key early when the server was idle past the interval', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    const first = kidOf(await issue(p))
    // Nobody asked for keys during the prepublish window: the successor is generated now and
    // published for the whole prepublish window before it signs.
    clock.set(START + 5 * 60 * MINUTE)
    expect(kidOf(await issue(p))).toBe(first)
    const next = (await publishedKids(p))[0]!
    clock.advance(10 * MINUTE - 1)
    expect(kidOf(await issue(p))).toBe(first)
    clock.advance(1)
    expect(kidOf(await issue(p))).toBe(next)
  })

  it('switches signing at once with provider.rotateKeys(), keeping the old key verifiable', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    const before = await issue(p)
    clock.advance(1_000)
    await p.rotateKeys()
    const after = await issue(p)
    expect(kidOf(after)).not.toBe(kidOf(before))
    expect(await publishedKids(p)).toEqual([kidOf(after), kidOf(before)])
    expect(await acceptedByVerifyJwt(p, before)).toBe(true)
    expect(await acceptedWithJwks(p, after, clock)).toBe(true)
  })

  it('switches signing with each rotateKeys() even within the millisecond the previous key started', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    const signers = [kidOf(await issue(p))]
    for (let i = 0; i < 4; i++) {
      await p.rotateKeys()
      signers.push(kidOf(await issue(p)))
    }
    expect(new Set(signers).size).toBe(5)
    expect((await publishedKids(p))[0]).toBe(signers[4])
  })

  it('promotes the pre-published key when rotateKeys() is called during the prepublish window', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: ROTATION })
    await issue(p)
    clock.set(START + 55 * MINUTE)
    await issue(p)
    const pending = (await publishedKids(p))[0]!
    await p.rotateKeys()
    expect(kidOf(await issue(p))).toBe(pending)
    expect(await publishedKids(p)).toHaveLength(2)
  })

  it('rejects rotation settings that are not durations at build()', () => {
    const clock = testClock(START)
    expect(() => provider(clock, { rotation: { intervalMs: 0 } })).toThrow(/intervalMs/)
    expect(() => provider(clock, { rotation: { retentionMs: -1 } })).toThrow(/retentionMs/)
    expect(() => provider(clock, { rotation: { prepublishMs: Number.NaN } })).toThrow(/prepublishMs/)
  })
})

describe('Key stores shared by several instances', () => {
  it('publishes the same keys from two providers sharing one InMemoryKeyStore', async () => {
    const clock = testClock(START)
    const keyStore = new InMemoryKeyStore()
    const a = provider(clock, { rotation: ROTATION, keyStore })
    const b = provider(clock, { rotation: ROTATION, keyStore })
    const token = await issue(a)
    expect(await publishedKids(b)).toEqual(await publishedKids(a))
    expect(await acceptedByVerifyJwt(b, token)).toBe(true)
    expect(kidOf(await issue(b))).toBe(kidOf(token))
  })

  it('generates one successor for all instances, and both publish it', async () => {
    const clock = testClock(START)
    const keyStore = new InMemoryKeyStore()
    const a = provider(clock, { rotation: ROTATION, keyStore })
    const b = provider(clock, { rotation: ROTATION, keyStore })
    await issue(a)
    await issue(b)
    clock.set(START + 50 * MINUTE)
    await issue(a)
    await issue(b)
    expect((await keyStore.list()).length).toBe(2)
    expect(await publishedKids(b)).toEqual(await publishedKids(a))
  })

  it('verifies at once a token another instance signed with a key it just rotated to', async () => {
    const clock = testClock(START)
    const keyStore = new InMemoryKeyStore()
    const a = provider(clock, { rotation: ROTATION, keyStore })
    const b = provider(clock, { rotation: ROTATION, keyStore })
    await issue(a)
    await issue(b)
    await a.rotateKeys()
    const rotated = await issue(a)
    expect(await acceptedByVerifyJwt(b, rotated)).toBe(true)
  })

  it('signs with the key another instance rotated to once it re-reads the key store (within 30 s)', async () => {
    const clock = testClock(START)
    const keyStore = new InMemoryKeyStore()
    const a = provider(clock, { rotation: ROTATION, keyStore })
    const b = provider(clock, { rotation: ROTATION, keyStore })
    await issue(b)
    // Past the first key's settling minute (re-reads every second), b re-reads every 30 s.
    const t = START + 2 * MINUTE
    clock.set(t)
    const first = kidOf(await issue(b))
    await a.rotateKeys()
    const next = kidOf(await issue(a))
    expect(next).not.toBe(first)
    // b signs from what it loaded until the reload is due, then from the store again.
    clock.set(t + 30_000 - 1)
    expect(kidOf(await issue(b))).toBe(first)
    clock.set(t + 30_000)
    expect(kidOf(await issue(b))).toBe(next)
  })
})

describe('Signing algorithms', () => {
  it('keeps an RS256 key in OIDC providers whatever the access-token algorithm', async () => {
    const clock = testClock(START)
    const p = OIDCAuthorizationCodeBuilder.create().setIssuer(ISSUER).setClock(clock.now).setSigningAlgorithm('ES256').build()
    const algs = (await fetchJwks(p)).keys.map((k) => k.alg).sort()
    expect(algs).toEqual(['ES256', 'RS256'])
  })

  it('keeps an RS256 key when an OAuth 2.0 flow declares the openid scope', async () => {
    const clock = testClock(START)
    const p = OAuth2AuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .setClock(clock.now)
      .setSigningAlgorithm('EdDSA')
      .setScopes({ openid: 'Sign in' })
      .build()
    const algs = (await fetchJwks(p)).keys.map((k) => k.alg).sort()
    expect(algs).toEqual(['EdDSA', 'RS256'])
  })

  it('publishes only the access-token algorithm for a plain OAuth 2.0 flow', async () => {
    const clock = testClock(START)
    const p = provider(clock, { alg: 'ES256' })
    expect((await fetchJwks(p)).keys.map((k) => k.alg)).toEqual(['ES256'])
  })
})

describe('RFC 7517 §5 JWK Set document', () => {
  it.each(['RS256', 'ES256', 'EdDSA'] as const)('publishes only the public members of a %s key, with use, alg and its RFC 7638 kid', async (alg) => {
    const clock = testClock(START)
    const p = provider(clock, { alg })
    const result = await getJwks(p)
    expect(result.headers['content-type']).toMatch(/^application\/json/)
    const { keys } = json(result) as { keys: JWK[] }
    expect(keys).toHaveLength(1)
    const key = keys[0]!
    for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
    expect(key).toMatchObject({ use: 'sig', alg })
    expect(key.kid).toBe(await calculateJwkThumbprint(key))
  })

  it('publishes only public members even when a key store returns private ones', async () => {
    const clock = testClock(START)
    const p = provider(clock, { keyStore: new CountingKeyStore(true) })
    const token = await issue(p)
    const { keys } = await fetchJwks(p)
    expect(keys.map((k) => Object.keys(k).sort())).toEqual([['alg', 'e', 'kid', 'kty', 'n', 'use']])
    expect(await acceptedByVerifyJwt(p, token)).toBe(true)
  })

  it('lets the JWKS be cached publicly for 300 seconds by default', async () => {
    const clock = testClock(START)
    const p = provider(clock)
    await getJwks(p)
    clock.advance(MINUTE)
    const result = await getJwks(p)
    expect(result.headers['cache-control']).toBe('public, max-age=300')
  })

  it('never lets the JWKS be cached longer than the prepublish window', async () => {
    const clock = testClock(START)
    const p = provider(clock, { rotation: { intervalMs: 10 * MINUTE, prepublishMs: 45_000 } })
    await getJwks(p)
    clock.advance(MINUTE)
    const result = await getJwks(p)
    expect(result.headers['cache-control']).toBe('public, max-age=45')
  })

  it('lets no cache keep the JWKS during the minute after a key started signing unannounced (first key, rotateKeys())', async () => {
    const clock = testClock(START)
    const p = provider(clock)
    expect((await getJwks(p)).headers['cache-control']).toBe('public, max-age=0')
    clock.set(START + MINUTE - 1)
    expect((await getJwks(p)).headers['cache-control']).toBe('public, max-age=0')
    clock.set(START + MINUTE)
    expect((await getJwks(p)).headers['cache-control']).toBe('public, max-age=300')
    await p.rotateKeys()
    expect((await getJwks(p)).headers['cache-control']).toBe('public, max-age=0')
  })
})

describe('JWKS endpoint routing (OpenID Connect Discovery jwks_uri)', () => {
  it('is served at /oauth2/keys by OIDC builders', async () => {
    const p = OIDCAuthorizationCodeBuilder.create().setIssuer(ISSUER).build()
    expect((await getJwks(p)).status).toBe(200)
  })

  it('is served at /oauth2/keys with useAccessTokenJwks(true), and not without', async () => {
    const clock = testClock(START)
    expect((await getJwks(provider(clock))).status).toBe(200)
    const plain = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'opaque' })))
      .build()
    expect((await getJwks(plain)).status).toBe(404)
  })

  it('is served at the path given with jwksRoute(r => r.setPath(...))', async () => {
    const p = OIDCAuthorizationCodeBuilder.create()
      .setIssuer(ISSUER)
      .jwksRoute((route) => route.setPath('/jwks.json'))
      .build()
    expect((await getJwks(p, `${ISSUER}/jwks.json`)).status).toBe(200)
    expect((await getJwks(p)).status).toBe(404)
  })

  it('is served under the path of an issuer with a path, and verifies its tokens', async () => {
    const clock = testClock(START)
    const issuer = 'https://as.example.com/tenant'
    const p = provider(clock, { issuer })
    const token = await issue(p, `${issuer}/oauth2/token`)
    const jwks = await fetchJwks(p, `${issuer}/oauth2/keys`)
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, currentDate: new Date(clock.now()) })
    expect(payload.iss).toBe(issuer)
    expect((await getJwks(p)).status).toBe(404)
  })

  it('answers HEAD like GET', async () => {
    const clock = testClock(START)
    const result = await provider(clock).handle({ method: 'HEAD', url: `${ISSUER}/oauth2/keys`, headers: {} })
    expect(result.status).toBe(200)
  })

  it('refuses POST with 405 and an Allow header', async () => {
    const clock = testClock(START)
    const result = await provider(clock).handle({ method: 'POST', url: `${ISSUER}/oauth2/keys`, headers: {}, body: '' })
    expect(result.status).toBe(405)
    expect(result.headers['allow']).toBe('GET, HEAD')
    expect(json(result)['error']).toBe('invalid_request')
  })
})
