import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  InMemoryKeyStore,
  MemoryStore,
  OAuth2AuthorizationCodeBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2TokenResponse,
  OIDCClientCredentialsBuilder,
  type JwtAccessTokenClaims,
  type OAuth2Provider,
  type SigningAlgorithm,
  type VerifyJwtOptions,
} from '@x/oauth2-core'
import { basicAuth, ISSUER, json, postToken, testClock } from '../fixtures/request.js'
import { signClaims } from '../../src/tokens/sign-claims.js'

const AUTH = { authorization: basicAuth('client-1', 'secret-1') }
const START = Date.UTC(2026, 0, 1, 12)

type Clock = ReturnType<typeof testClock>

/** A client_credentials provider whose handler signs an RFC 9068 access token with `claims`. */
function clientCredentials(
  clock: Clock,
  options: { claims?: JwtAccessTokenClaims; configure?: (b: OAuth2ClientCredentialsBuilder) => OAuth2ClientCredentialsBuilder } = {},
): OAuth2Provider {
  const builder = OAuth2ClientCredentialsBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .useAccessTokenJwks(true)
    .tokenRoute((route) =>
      route.generateToken(async ({ createJwtAccessToken, ttl }) => {
        const { token } = await createJwtAccessToken!(options.claims)
        return new OAuth2TokenResponse({ access_token: token }).setExpiresIn(ttl)
      }),
    )
  return (options.configure?.(builder) ?? builder).build()
}

async function accessToken(provider: OAuth2Provider, scope?: string): Promise<string> {
  const response = await postToken(provider, { grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) }, AUTH)
  expect(response.status).toBe(200)
  return response.json['access_token'] as string
}

async function fetchJwks(provider: OAuth2Provider, url = `${ISSUER}/oauth2/keys`): Promise<JSONWebKeySet> {
  const result = await provider.handle({ method: 'GET', url, headers: {} })
  expect(result.status).toBe(200)
  return json(result) as unknown as JSONWebKeySet
}

/** What a resource server does (RFC 9068 §4): verify against the published JWKS. */
async function verifyAsResourceServer(provider: OAuth2Provider, token: string, clock: Clock, audience: string | string[] = ISSUER) {
  return jwtVerify(token, createLocalJWKSet(await fetchJwks(provider)), {
    issuer: ISSUER,
    audience,
    typ: 'at+jwt',
    currentDate: new Date(clock.now()),
  })
}

describe('RFC 9068 §2.1 header', () => {
  it('sets typ to at+jwt', async () => {
    const clock = testClock(START)
    const token = await accessToken(clientCredentials(clock))
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt')
  })

  it('signs with RS256 by default, under a kid the JWKS publishes', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock)
    const token = await accessToken(provider)
    const header = decodeProtectedHeader(token)
    expect(header.alg).toBe('RS256')
    const jwks = await fetchJwks(provider)
    const published = jwks.keys.find((k) => k.kid === header.kid)
    expect(published).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    await expect(verifyAsResourceServer(provider, token, clock)).resolves.toBeDefined()
  })

  it.each([
    ['RS256', { kty: 'RSA' }],
    ['ES256', { kty: 'EC', crv: 'P-256' }],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519' }],
  ] as const)('signs with %s when setSigningAlgorithm chooses it', async (alg: SigningAlgorithm, key) => {
    const clock = testClock(START)
    const provider = clientCredentials(clock, { configure: (b) => b.setSigningAlgorithm(alg) })
    const token = await accessToken(provider)
    const header = decodeProtectedHeader(token)
    expect(header).toMatchObject({ alg, typ: 'at+jwt' })
    const jwks = await fetchJwks(provider)
    expect(jwks.keys.find((k) => k.kid === header.kid)).toMatchObject({ ...key, alg })
    const { protectedHeader } = await verifyAsResourceServer(provider, token, clock)
    expect(protectedHeader.alg).toBe(alg)
  })
})

describe('RFC 9068 §2.2 data structure', () => {
  it('sets iss to the issuer and iat to the current time', async () => {
    const clock = testClock(START + 789)
    const payload = decodeJwt(await accessToken(clientCredentials(clock)))
    expect(payload.iss).toBe(ISSUER)
    expect(payload.iat).toBe(Math.floor((START + 789) / 1000))
  })

  it('sets exp to iat plus 3600 seconds by default', async () => {
    const clock = testClock(START)
    const payload = decodeJwt(await accessToken(clientCredentials(clock)))
    expect(payload.exp).toBe(payload.iat! + 3600)
  })

  it('sets exp to iat plus the lifetime from setTokenTtl', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock, { configure: (b) => b.setTokenTtl(600) })
    const response = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
    const payload = decodeJwt(response.json['access_token'] as string)
    expect(payload.exp).toBe(payload.iat! + 600)
    expect(response.json['expires_in']).toBe(600)
  })

  it('sets aud to the issuer by default', async () => {
    const clock = testClock(START)
    expect(decodeJwt(await accessToken(clientCredentials(clock))).aud).toBe(ISSUER)
  })

  it('sets aud to the audience from setAccessTokenAudience', async () => {
    const clock = testClock(START)
    const one = clientCredentials(clock, { configure: (b) => b.setAccessTokenAudience('https://api.example.com') })
    const oneToken = await accessToken(one)
    expect(decodeJwt(oneToken).aud).toBe('https://api.example.com')
    await expect(verifyAsResourceServer(one, oneToken, clock, 'https://api.example.com')).resolves.toBeDefined()

    const many = clientCredentials(clock, { configure: (b) => b.setAccessTokenAudience(['https://a.example.com', 'https://b.example.com']) })
    expect(decodeJwt(await accessToken(many)).aud).toEqual(['https://a.example.com', 'https://b.example.com'])
  })

  it('sets sub to the client id when there is no resource owner (client_credentials)', async () => {
    const clock = testClock(START)
    expect(decodeJwt(await accessToken(clientCredentials(clock))).sub).toBe('client-1')
  })

  it('sets sub to the value the handler gives', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock, { claims: { sub: 'user-42' } })
    const payload = decodeJwt(await accessToken(provider))
    expect(payload.sub).toBe('user-42')
    expect(payload['client_id']).toBe('client-1')
  })

  it('keeps the default of a claim the handler gives as undefined (sub is REQUIRED)', async () => {
    const clock = testClock(START)
    // What JavaScript, or TypeScript without exactOptionalPropertyTypes, passes for `{ sub: user?.id }`.
    const claims = { sub: undefined, aud: undefined, client_id: undefined } as unknown as JwtAccessTokenClaims
    const provider = clientCredentials(clock, { claims })
    const payload = decodeJwt(await accessToken(provider))
    expect(payload).toMatchObject({ sub: 'client-1', aud: ISSUER, client_id: 'client-1' })
  })

  it('sets client_id to the authenticated client', async () => {
    const clock = testClock(START)
    expect(decodeJwt(await accessToken(clientCredentials(clock)))['client_id']).toBe('client-1')
  })

  it('sets a jti that is unique per token', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock)
    const ids = new Set<unknown>()
    for (let i = 0; i < 5; i++) ids.add(decodeJwt(await accessToken(provider)).jti)
    expect(ids.size).toBe(5)
    for (const jti of ids) expect(jti).toMatch(/^[A-Za-z0-9_-]{16,}$/)
  })

  it('sets scope to the requested scope by default', async () => {
    const clock = testClock(START)
    const payload = decodeJwt(await accessToken(clientCredentials(clock), 'read write'))
    expect(payload['scope']).toBe('read write')
  })

  it('joins a scope array into a space-delimited string', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock, { claims: { scope: ['read', 'admin'] } })
    expect(decodeJwt(await accessToken(provider, 'read write'))['scope']).toBe('read admin')
  })

  it('leaves scope out when none was requested or granted', async () => {
    const clock = testClock(START)
    const payload = decodeJwt(await accessToken(clientCredentials(clock)))
    expect(payload).not.toHaveProperty('scope')
  })

  it('keeps extra claims such as auth_time, acr and amr (RFC 9068 §2.2.1)', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock, { claims: { auth_time: 1_700_000_000, acr: 'urn:mace:incommon:iap:silver', amr: ['pwd'], tenant: 't1' } })
    expect(decodeJwt(await accessToken(provider))).toMatchObject({ auth_time: 1_700_000_000, acr: 'urn:mace:incommon:iap:silver', amr: ['pwd'], tenant: 't1' })
  })
})

describe('RFC 9068 §4 validation by a resource server', () => {
  it('verifies against the JWKS until exp and not after', async () => {
    const clock = testClock(START)
    const provider = clientCredentials(clock, { configure: (b) => b.setTokenTtl(600) })
    const token = await accessToken(provider)
    clock.advance(599_000)
    await expect(verifyAsResourceServer(provider, token, clock)).resolves.toBeDefined()
    clock.advance(1_000)
    await expect(verifyAsResourceServer(provider, token, clock)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' })
  })
})

describe('createJwtAccessToken availability', () => {
  async function helperPresence(builder: OAuth2ClientCredentialsBuilder): Promise<boolean> {
    let present: boolean | undefined
    const provider = builder
      .setIssuer(ISSUER)
      .tokenRoute((route) =>
        route.generateToken(({ createJwtAccessToken }) => {
          present = createJwtAccessToken !== undefined
          return new OAuth2TokenResponse({ access_token: 'opaque' })
        }),
      )
      .build()
    expect((await postToken(provider, { grant_type: 'client_credentials' }, AUTH)).status).toBe(200)
    return present!
  }

  it('is absent when JWT access tokens are not enabled', async () => {
    expect(await helperPresence(OAuth2ClientCredentialsBuilder.create())).toBe(false)
  })

  it('is present with useAccessTokenJwks(true)', async () => {
    expect(await helperPresence(OAuth2ClientCredentialsBuilder.create().useAccessTokenJwks(true))).toBe(true)
  })

  it('is present with a JWKS route', async () => {
    expect(await helperPresence(OAuth2ClientCredentialsBuilder.create().jwksRoute())).toBe(true)
  })

  it('is present on OIDC builders', async () => {
    expect(await helperPresence(OIDCClientCredentialsBuilder.create())).toBe(true)
  })
})

/**
 * A provider that issues JWT access tokens at the authorization_code grant (sub = the code) and
 * checks the `refresh_token` with `verifyJwt`, returning what it resolved to.
 */
function verifyingProvider(clock: Clock, options: { issuer?: string; keyStore?: InMemoryKeyStore; verify?: VerifyJwtOptions; claims?: JwtAccessTokenClaims } = {}) {
  const builder = OAuth2AuthorizationCodeBuilder.create()
    .setIssuer(options.issuer ?? ISSUER)
    .setClock(clock.now)
    .useAccessTokenJwks(true)
    .setTokenTtl(600)
    .tokenRoute((route) =>
      route.generateToken(async ({ code, createJwtAccessToken }) => {
        const { token } = await createJwtAccessToken!({ sub: code, ...options.claims })
        return new OAuth2TokenResponse({ access_token: token })
      }),
    )
    .refreshTokenRoute((route) =>
      route.generateToken(async ({ refreshToken, verifyJwt }) => {
        const payload = await verifyJwt(refreshToken, options.verify)
        return new OAuth2TokenResponse({ access_token: 'checked' }).setParameter('verified', payload)
      }),
    )
  if (options.keyStore !== undefined) builder.setJwksKeyStore(options.keyStore)
  return builder.build()
}

async function issue(provider: OAuth2Provider, sub = 'user-1'): Promise<string> {
  const response = await postToken(provider, { grant_type: 'authorization_code', code: sub }, AUTH)
  expect(response.status).toBe(200)
  return response.json['access_token'] as string
}

/** What `verifyJwt` resolved to inside the handler. */
async function verified(provider: OAuth2Provider, token: string): Promise<JWTPayload | null> {
  const response = await postToken(provider, { grant_type: 'refresh_token', refresh_token: token }, AUTH)
  expect(response.status).toBe(200)
  return response.json['verified'] as JWTPayload | null
}

function replaceSegment(token: string, index: number, segment: string): string {
  const parts = token.split('.')
  parts[index] = segment
  return parts.join('.')
}

describe('verifyJwt in the token handler (RFC 9068 §4, RFC 8725 §3)', () => {
  it('accepts a token the provider signed and resolves to its claims', async () => {
    const clock = testClock(START)
    const provider = verifyingProvider(clock)
    const token = await issue(provider, 'user-7')
    expect(await verified(provider, token)).toMatchObject({ iss: ISSUER, sub: 'user-7', client_id: 'client-1' })
  })

  it('returns null for a token of another issuer, even one signed with the same keys', async () => {
    const clock = testClock(START)
    const keyStore = new InMemoryKeyStore()
    const provider = verifyingProvider(clock, { keyStore })
    const other = verifyingProvider(clock, { keyStore, issuer: 'https://other.example.com' })
    const foreign = await issue(other)
    expect(decodeProtectedHeader(foreign).kid).toBe(decodeProtectedHeader(await issue(provider)).kid)
    expect(await verified(provider, foreign)).toBeNull()
  })

  it('returns null for an expired token, and accepts it until then', async () => {
    const clock = testClock(START)
    const provider = verifyingProvider(clock)
    const token = await issue(provider)
    clock.advance(599_000)
    expect(await verified(provider, token)).not.toBeNull()
    clock.advance(1_000)
    expect(await verified(provider, token)).toBeNull()
  })

  it('returns null for a tampered signature or payload', async () => {
    const clock = testClock(START)
    const provider = verifyingProvider(clock)
    const token = await issue(provider)
    const signature = token.split('.')[2]!
    const middle = Math.floor(signature.length / 2)
    const flipped = signature.slice(0, middle) + (signature[middle] === 'A' ? 'B' : 'A') + signature.slice(middle + 1)
    expect(await verified(provider, replaceSegment(token, 2, flipped))).toBeNull()

    const payload = { ...decodeJwt(token), sub: 'admin' }
    const forged = replaceSegment(token, 1, btoa(JSON.stringify(payload)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''))
    expect(await verified(provider, forged)).toBeNull()
  })

  it('returns null for garbage', async () => {
    const clock = testClock(START)
    const provider = verifyingProvider(clock)
    for (const garbage of ['not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.']) {
      expect(await verified(provider, garbage)).toBeNull()
    }
  })

  it('returns null for a token signed by another key, under the provider kid or its own', async () => {
    const clock = testClock(START)
    const provider = verifyingProvider(clock)
    const genuine = await issue(provider)
    const { kid } = decodeProtectedHeader(genuine)
    const claims = decodeJwt(genuine)
    for (const alg of ['RS256', 'ES256'] as const) {
      const { privateKey } = await generateKeyPair(alg)
      for (const headerKid of [kid, 'attacker-key']) {
        const forged = await new SignJWT(claims).setProtectedHeader({ alg, kid: headerKid!, typ: 'at+jwt' }).sign(privateKey)
        expect(await verified(provider, forged)).toBeNull()
      }
    }
  })

  it('checks the typ header when the typ option is given', async () => {
    const clock = testClock(START)
    const accessTyped = verifyingProvider(clock, { verify: { typ: 'at+jwt' } })
    expect(await verified(accessTyped, await issue(accessTyped))).not.toBeNull()

    const refreshTyped = verifyingProvider(clock, { verify: { typ: 'refresh+jwt' } })
    expect(await verified(refreshTyped, await issue(refreshTyped))).toBeNull()
  })

  it('checks aud when the audience option is given', async () => {
    const clock = testClock(START)
    const matching = verifyingProvider(clock, { verify: { audience: ISSUER } })
    expect(await verified(matching, await issue(matching))).not.toBeNull()

    const other = verifyingProvider(clock, { verify: { audience: 'https://api.example.com' } })
    expect(await verified(other, await issue(other))).toBeNull()
  })
})

describe('RFC 9068 access tokens of the default issuance, signed while the store is written', () => {
  /** A key store that is down: every signature fails. */
  const brokenKeys = { list: () => Promise.reject(new Error('key store down')), put: () => Promise.resolve(), delete: () => Promise.resolve() }

  it('answers a failed signature with 500 server_error, reported to onError, and no unhandled rejection', async () => {
    const errors: unknown[] = []
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const store = new MemoryStore({ clients: [{ client_id: 'client-1', client_secret: 'secret-1', grant_types: ['client_credentials'] }] })
      // A store that answers a write on a later turn of the event loop, as a database does: the
      // signature fails while the entries are still being written.
      const set = store.set.bind(store)
      store.set = (...args) => new Promise((resolve) => setTimeout(resolve, 5)).then(() => set(...args))
      const provider = OAuth2ClientCredentialsBuilder.create()
        .setIssuer(ISSUER)
        .setStore(store)
        .setJwksKeyStore(brokenKeys)
        .useAccessTokenJwks(true)
        .onError((error) => errors.push(error))
        .build()
      const response = await postToken(provider, { grant_type: 'client_credentials' }, AUTH)
      expect(response.status).toBe(500)
      expect(response.json['error']).toBe('server_error')
      // Let any stray rejection surface before looking.
      await new Promise((resolve) => setTimeout(resolve, 10))
      expect(errors.map((e) => (e as Error).message)).toEqual(['key store down'])
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('records the access token under its jti hash, so introspection and revocation know it', async () => {
    const store = new MemoryStore({ clients: [{ client_id: 'client-1', client_secret: 'secret-1', grant_types: ['client_credentials'] }] })
    const provider = OAuth2ClientCredentialsBuilder.create().setIssuer(ISSUER).setStore(store).useAccessTokenJwks(true).build()
    const token = await accessToken(provider)
    const jti = decodeJwt(token).jti as string
    const id = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(jti))).toString('base64url')
    expect(await store.get('access_token', id)).toMatchObject({ format: 'jwt', clientId: 'client-1' })
  })
})

// The core signs its access and ID tokens with jose's CompactSign over claims it has just built,
// not with SignJWT (whose structuredClone of the claims cost ~10 µs per token): the tokens must be
// the ones SignJWT would have made.
describe('RFC 7519 §7.1 signing the claims set (signClaims)', () => {
  it('makes the token SignJWT makes, byte for byte, for any JSON claims (Ed25519 signs deterministically)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const header = { alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' }
    const numericDate = fc.integer({ min: 0, max: 2 ** 40 })
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
        fc.record({ iat: numericDate, exp: numericDate, nbf: numericDate }, { requiredKeys: [] }),
        async (claims, dates) => {
          const payload = { ...claims, ...dates } as JWTPayload
          const expected = await new SignJWT(payload).setProtectedHeader(header).sign(privateKey)
          expect(await signClaims(payload, header, privateKey)).toBe(expected)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses a non-finite NumericDate (RFC 7519 §2) as SignJWT does, before signing', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const header = { alg: 'EdDSA', kid: 'k1', typ: 'JWT' }
    for (const claim of ['iat', 'nbf', 'exp']) {
      for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        expect(() => signClaims({ [claim]: value }, header, privateKey)).toThrow(`"${claim}" claim must be a finite number`)
        await expect(new SignJWT({ [claim]: value }).setProtectedHeader(header).sign(privateKey)).rejects.toThrow(`"${claim}" claim must be a finite number`)
      }
    }
  })
})
