import {
  ClientSecretJwt,
  OAuth2ClientCredentialsBuilder,
  OAuth2TokenResponse,
  PrivateKeyJwt,
  type ClientAuthMethod,
  type ClientAuthMethodName,
  type ClientMetadata,
  type OAuth2ClientCredentialsTokenParams,
} from '@x/oauth2-core'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  assertionParams,
  expectChallenged,
  expectError,
  expectUnchallenged,
  JWT_BEARER,
  SECRET_32,
  SECRET_64,
  send,
  signClientAssertion,
  unsecuredAssertion,
  type ClientAssertionOptions,
} from '../fixtures/assertions.js'
import { clientKeyPair } from '../fixtures/keys.js'
import { basicAuth, ISSUER, testClock, TOKEN_URL } from '../fixtures/request.js'

type KeyPair = Awaited<ReturnType<typeof clientKeyPair>>

const clock = testClock()
let keys: Record<'ES256' | 'RS256' | 'EdDSA', KeyPair>
let otherEs256: KeyPair

beforeAll(async () => {
  const [es, rs, ed, other] = await Promise.all([clientKeyPair('ES256'), clientKeyPair('RS256'), clientKeyPair('EdDSA'), clientKeyPair('ES256', 'other')])
  keys = { ES256: es, RS256: rs, EdDSA: ed }
  otherEs256 = other
})

beforeEach(() => clock.set(Date.UTC(2026, 0, 1, 12)))

/** A client registered for private_key_jwt with all three public keys. */
function keyClient(fields: Partial<ClientMetadata> = {}): ClientMetadata {
  return {
    client_id: 'key-client',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [keys.ES256.publicJwk, keys.RS256.publicJwk, keys.EdDSA.publicJwk] },
    grant_types: ['client_credentials'],
    ...fields,
  }
}

/** A client registered for client_secret_jwt. */
function secretClient(fields: Partial<ClientMetadata> = {}): ClientMetadata {
  return { client_id: 'secret-client', token_endpoint_auth_method: 'client_secret_jwt', client_secret: SECRET_32, grant_types: ['client_credentials'], ...fields }
}

interface Setup {
  methods?: (ClientAuthMethod | ClientAuthMethodName)[]
  /** Registered clients; `undefined` builds a provider without findClient. */
  clients?: ClientMetadata[]
  maxAssertionLifetime?: number
}

/** A real client-credentials provider; `calls` holds every context its handler received. */
function setup({ methods = ['private_key_jwt', 'client_secret_jwt'], clients, maxAssertionLifetime }: Setup = {}) {
  const calls: OAuth2ClientCredentialsTokenParams[] = []
  const builder = OAuth2ClientCredentialsBuilder.create().setIssuer(ISSUER).setClock(clock.now)
  for (const method of methods) builder.addClientAuthenticationMethod(method)
  if (clients !== undefined) builder.findClient((id) => clients.find((c) => c.client_id === id))
  if (maxAssertionLifetime !== undefined) builder.setMaxAssertionLifetime(maxAssertionLifetime)
  builder.tokenRoute((route) =>
    route.generateToken((ctx) => {
      calls.push(ctx)
      return new OAuth2TokenResponse({ access_token: 'at' })
    }),
  )
  return { provider: builder.build(), calls }
}

/** An ES256 assertion of `key-client`; options override the defaults. */
function keyAssertion(options: Partial<ClientAssertionOptions> = {}): Promise<string> {
  return signClientAssertion({ alg: 'ES256', key: keys.ES256.privateKey, kid: keys.ES256.kid, clientId: 'key-client', now: clock.now(), ...options })
}

/** An HS256 assertion of `secret-client`; options override the defaults. */
function secretAssertion(options: Partial<ClientAssertionOptions> = {}): Promise<string> {
  return signClientAssertion({ alg: 'HS256', key: SECRET_32, clientId: 'secret-client', now: clock.now(), ...options })
}

describe('RFC 7523 §2.2 private_key_jwt', () => {
  it.each(['ES256', 'RS256', 'EdDSA'] as const)('authenticates an assertion signed with the client\'s registered %s key', async (alg) => {
    const { provider, calls } = setup({ clients: [keyClient()] })
    const assertion = await keyAssertion({ alg, key: keys[alg].privateKey, kid: keys[alg].kid })
    const res = await send(provider, assertionParams(assertion))
    expect(res.status).toBe(200)
    expect(calls[0]).toMatchObject({ clientId: 'key-client', clientAuthMethod: 'private_key_jwt', clientAuthenticated: true, client: keyClient() })
    expect(calls[0]?.clientSecret).toBeUndefined()
  })

  it.each(['ES256', 'RS256', 'EdDSA'] as const)('authenticates a %s assertion without a kid when one key of its type is registered', async (alg) => {
    const { provider } = setup({ clients: [keyClient()] })
    const assertion = await signClientAssertion({ alg, key: keys[alg].privateKey, clientId: 'key-client', now: clock.now() })
    expect((await send(provider, assertionParams(assertion))).status).toBe(200)
  })

  it.each(['ES256', 'RS256', 'EdDSA'] as const)('finds the %s key with getPublicKeyForClient without findClient', async (alg) => {
    const looked: string[] = []
    const method = new PrivateKeyJwt().getPublicKeyForClient((clientId) => {
      looked.push(clientId)
      return clientId === 'key-client' ? keys[alg].publicKey : undefined
    })
    const { provider, calls } = setup({ methods: [method] })
    const res = await send(provider, assertionParams(await keyAssertion({ alg, key: keys[alg].privateKey })))
    expect(res.status).toBe(200)
    expect(looked).toEqual(['key-client'])
    // The signature was verified, so the client is authenticated even without a client lookup.
    expect(calls[0]).toMatchObject({ clientId: 'key-client', clientAuthMethod: 'private_key_jwt', clientAuthenticated: true })
  })

  it('accepts a JWK or a JWK Set from getPublicKeyForClient', async () => {
    for (const key of [keys.ES256.publicJwk, { keys: [keys.RS256.publicJwk, keys.ES256.publicJwk] }]) {
      const { provider } = setup({ methods: [new PrivateKeyJwt().getPublicKeyForClient(() => key)] })
      expect((await send(provider, assertionParams(await keyAssertion()))).status).toBe(200)
    }
  })

  it('refuses a private JWK from getPublicKeyForClient', async () => {
    const { exportJWK } = await import('jose')
    const privateJwk = await exportJWK(keys.ES256.privateKey)
    const { provider } = setup({ methods: [new PrivateKeyJwt().getPublicKeyForClient(() => privateJwk)] })
    expectUnchallenged(await send(provider, assertionParams(await keyAssertion())))
  })

  it('refuses a client for which getPublicKeyForClient has no key', async () => {
    const { provider, calls } = setup({ methods: [new PrivateKeyJwt().getPublicKeyForClient(() => null)] })
    expectUnchallenged(await send(provider, assertionParams(await keyAssertion())))
    expect(calls).toHaveLength(0)
  })

  it('refuses an assertion signed with a key the client did not register', async () => {
    const { provider, calls } = setup({ clients: [keyClient()] })
    const forged = await keyAssertion({ key: otherEs256.privateKey })
    expectUnchallenged(await send(provider, assertionParams(forged)))
    const forgedWithKid = await keyAssertion({ key: otherEs256.privateKey, kid: otherEs256.kid })
    expectUnchallenged(await send(provider, assertionParams(forgedWithKid)))
    expect(calls).toHaveLength(0)
  })

  it('refuses an assertion whose signature was altered', async () => {
    const { provider } = setup({ clients: [keyClient()] })
    const assertion = await keyAssertion()
    const [header, payload, signature] = assertion.split('.') as [string, string, string]
    const altered = `${header}.${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`
    expectUnchallenged(await send(provider, assertionParams(altered)))
  })

  it('refuses a client with no registered jwks', async () => {
    const { jwks: _, ...noKeys } = keyClient()
    const { provider } = setup({ clients: [noKeys] })
    expectUnchallenged(await send(provider, assertionParams(await keyAssertion())))
  })

  it('accepts only the algorithms addAlgorithm lists', async () => {
    const { provider } = setup({ methods: [new PrivateKeyJwt().addAlgorithm('ES256')], clients: [keyClient()] })
    expect((await send(provider, assertionParams(await keyAssertion()))).status).toBe(200)
    const rs256 = await keyAssertion({ alg: 'RS256', key: keys.RS256.privateKey, kid: keys.RS256.kid })
    expectUnchallenged(await send(provider, assertionParams(rs256)))
  })

  it('refuses HS and none algorithms in addAlgorithm with a TypeError', () => {
    expect(() => new PrivateKeyJwt().addAlgorithm('HS256')).toThrow(TypeError)
    expect(() => new PrivateKeyJwt().addAlgorithm('none')).toThrow(TypeError)
  })

  it('is enabled by its IANA name', async () => {
    const { provider } = setup({ methods: ['private_key_jwt'], clients: [keyClient()] })
    expect((await send(provider, assertionParams(await keyAssertion()))).status).toBe(200)
    const { provider: without } = setup({ methods: ['client_secret_jwt'], clients: [keyClient()] })
    expectUnchallenged(await send(without, assertionParams(await keyAssertion())))
  })

  it('makes build() throw a TypeError without findClient or getPublicKeyForClient', () => {
    for (const method of ['private_key_jwt', new PrivateKeyJwt()] as const) {
      const builder = OAuth2ClientCredentialsBuilder.create()
        .setIssuer(ISSUER)
        .addClientAuthenticationMethod(method)
        .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'at' })))
      expect(() => builder.build()).toThrow(TypeError)
      expect(() => builder.findClient(() => undefined).build()).not.toThrow()
    }
  })
})

describe('RFC 7523 §2.2 client_secret_jwt', () => {
  it('authenticates an HS256 assertion MACed with the registered client_secret', async () => {
    const { provider, calls } = setup({ clients: [secretClient()] })
    const res = await send(provider, assertionParams(await secretAssertion()))
    expect(res.status).toBe(200)
    expect(calls[0]).toMatchObject({ clientId: 'secret-client', clientAuthMethod: 'client_secret_jwt', clientAuthenticated: true, client: secretClient() })
    expect(calls[0]?.clientSecret).toBeUndefined()
  })

  it('authenticates HS384 and HS512 assertions with a long enough secret', async () => {
    const { provider } = setup({ clients: [secretClient({ client_secret: SECRET_64 })] })
    for (const alg of ['HS384', 'HS512']) {
      expect((await send(provider, assertionParams(await secretAssertion({ alg, key: SECRET_64 })))).status).toBe(200)
    }
  })

  it('finds the secret with getClientSecret without findClient', async () => {
    const method = new ClientSecretJwt().getClientSecret((clientId) => (clientId === 'secret-client' ? SECRET_32 : undefined))
    const { provider, calls } = setup({ methods: [method] })
    expect((await send(provider, assertionParams(await secretAssertion()))).status).toBe(200)
    expect(calls[0]).toMatchObject({ clientId: 'secret-client', clientAuthMethod: 'client_secret_jwt', clientAuthenticated: true })
    expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ clientId: 'unknown' }))))
  })

  it('refuses a secret shorter than the hash output (RFC 7518 §3.2)', async () => {
    const short = SECRET_32.slice(0, 31)
    const { provider, calls } = setup({ clients: [secretClient({ client_secret: short })] })
    expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ key: short }))))
    const { provider: hs512 } = setup({ clients: [secretClient()] })
    expectUnchallenged(await send(hs512, assertionParams(await secretAssertion({ alg: 'HS512' }))))
    expect(calls).toHaveLength(0)
  })

  it('refuses an assertion MACed with another secret', async () => {
    const { provider } = setup({ clients: [secretClient()] })
    expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ key: SECRET_32.toUpperCase() }))))
  })

  it('refuses a client whose secret has expired (RFC 7591 §3.2.1), saying so only to the secret\'s holder', async () => {
    const { provider } = setup({ clients: [secretClient({ client_secret_expires_at: Math.floor(clock.now() / 1000) - 1 })] })
    const held = await send(provider, assertionParams(await secretAssertion()))
    expectUnchallenged(held)
    expect(held.json['error_description']).toBe('The client secret has expired.')
    const guessed = await send(provider, assertionParams(await secretAssertion({ key: SECRET_32.toUpperCase() })))
    expectUnchallenged(guessed)
    expect(guessed.json['error_description']).toBe('Client authentication failed.')
  })

  it('RFC 7523 §3 (7): remembers a jti per client, so that no client can spend another\'s (client svc with jti eu:1 and client svc:eu with jti 1)', async () => {
    const { provider } = setup({ clients: [secretClient({ client_id: 'svc' }), secretClient({ client_id: 'svc:eu' })] })
    expect((await send(provider, assertionParams(await secretAssertion({ clientId: 'svc', jti: 'eu:1' })))).status).toBe(200)
    expect((await send(provider, assertionParams(await secretAssertion({ clientId: 'svc:eu', jti: '1' })))).status).toBe(200)
    // Each jti still once for its own client.
    const again = await send(provider, assertionParams(await secretAssertion({ clientId: 'svc:eu', jti: '1' })))
    expect(again.json['error_description']).toBe('The client_assertion has already been used.')
  })

  it('never tells which client ids exist: a signature, key or algorithm fault reads as an unknown client does (docs/errors.md)', async () => {
    const { provider } = setup({ clients: [keyClient(), secretClient(), secretClient({ client_id: 'short-client', client_secret: SECRET_32.slice(0, 31) })] })
    const unknown = await send(provider, assertionParams(await secretAssertion({ clientId: 'nobody' })))
    expectUnchallenged(unknown)
    expect(unknown.json['error_description']).toBe('Client authentication failed.')
    for (const assertion of [
      // MACed with a guessed secret.
      await secretAssertion({ key: SECRET_32.toUpperCase() }),
      // An HMAC assertion for a client registered for private_key_jwt.
      await secretAssertion({ clientId: 'key-client' }),
      // Signed with a key the client did not register.
      await keyAssertion({ alg: 'EdDSA', key: keys.EdDSA.privateKey, kid: keys.ES256.kid }),
      // A registered secret too short for HS256.
      await secretAssertion({ clientId: 'short-client', key: SECRET_32.slice(0, 31) }),
    ]) {
      const res = await send(provider, assertionParams(assertion))
      expectUnchallenged(res)
      expect(res.json).toEqual(unknown.json)
    }
  })

  it('accepts only the algorithms addAlgorithm lists', async () => {
    const { provider } = setup({ methods: [new ClientSecretJwt().addAlgorithm('HS512')], clients: [secretClient({ client_secret: SECRET_64 })] })
    expect((await send(provider, assertionParams(await secretAssertion({ alg: 'HS512', key: SECRET_64 })))).status).toBe(200)
    expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ key: SECRET_64 }))))
  })

  it('is enabled by its IANA name', async () => {
    const { provider } = setup({ methods: ['client_secret_jwt'], clients: [secretClient()] })
    expect((await send(provider, assertionParams(await secretAssertion()))).status).toBe(200)
    const { provider: without } = setup({ methods: ['private_key_jwt'], clients: [secretClient()] })
    expectUnchallenged(await send(without, assertionParams(await secretAssertion())))
  })

  it('makes build() throw a TypeError without findClient or getClientSecret', () => {
    for (const method of ['client_secret_jwt', new ClientSecretJwt()] as const) {
      const builder = OAuth2ClientCredentialsBuilder.create()
        .setIssuer(ISSUER)
        .addClientAuthenticationMethod(method)
        .tokenRoute((route) => route.generateToken(() => new OAuth2TokenResponse({ access_token: 'at' })))
      expect(() => builder.build()).toThrow(TypeError)
      expect(() => builder.findClient(() => undefined).build()).not.toThrow()
    }
  })
})

describe('RFC 7523 §3 JWT format and processing requirements', () => {
  describe('iss and sub', () => {
    it('authenticates the client named by iss and sub', async () => {
      const { provider, calls } = setup({ clients: [keyClient(), secretClient()] })
      await send(provider, assertionParams(await keyAssertion()))
      await send(provider, assertionParams(await secretAssertion()))
      expect(calls.map((c) => c.clientId)).toEqual(['key-client', 'secret-client'])
    })

    it('refuses an assertion whose sub differs from iss', async () => {
      const { provider, calls } = setup({ clients: [keyClient(), keyClient({ client_id: 'someone' })] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ sub: 'someone' }))))
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ iss: 'someone' }))))
      expect(calls).toHaveLength(0)
    })

    it('refuses an assertion without iss or without sub', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ iss: null }))))
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ sub: null }))))
    })

    it('refuses an assertion that names another client than the key that signed it', async () => {
      const other = keyClient({ client_id: 'other-client', jwks: { keys: [otherEs256.publicJwk] } })
      const { provider, calls } = setup({ clients: [keyClient(), other] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ clientId: 'other-client' }))))
      expect(calls).toHaveLength(0)
    })

    it('refuses a client_id parameter that does not match the assertion', async () => {
      const { provider, calls } = setup({ clients: [keyClient(), secretClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion(), { client_id: 'secret-client' })))
      expect(calls).toHaveLength(0)
      expect((await send(provider, assertionParams(await keyAssertion(), { client_id: 'key-client' }))).status).toBe(200)
    })
  })

  describe('aud', () => {
    it.each([
      ['the token endpoint URL', TOKEN_URL],
      ['the issuer', ISSUER],
      ['an array holding the token endpoint URL', ['https://elsewhere.example', TOKEN_URL]],
    ])('accepts an aud of %s', async (_, aud) => {
      const { provider } = setup({ clients: [keyClient()] })
      expect((await send(provider, assertionParams(await keyAssertion({ aud })))).status).toBe(200)
    })

    it.each([
      ['another server', 'https://other.example.com/oauth2/token'],
      ['the issuer with a trailing slash', `${ISSUER}/`],
      ['another endpoint of this server', `${ISSUER}/oauth2/keys`],
    ])('refuses an aud naming %s', async (_, aud) => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ aud }))))
      expect(calls).toHaveLength(0)
    })

    it('refuses an assertion without aud', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ aud: null }))))
    })
  })

  describe('exp, nbf and lifetime', () => {
    it('refuses an assertion without exp', async () => {
      const { provider } = setup({ clients: [keyClient(), secretClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ expiresIn: null }))))
      expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ expiresIn: null }))))
    })

    it('refuses an expired assertion', async () => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      const assertion = await keyAssertion({ expiresIn: 60 })
      clock.advance(120_000)
      const res = await send(provider, assertionParams(assertion))
      expectUnchallenged(res)
      expect(res.json['error_description']).toMatch(/expired/)
      expect(calls).toHaveLength(0)
    })

    it('accepts an assertion until it expires', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      const assertion = await keyAssertion({ expiresIn: 60 })
      clock.advance(59_000)
      expect((await send(provider, assertionParams(assertion))).status).toBe(200)
    })

    it('refuses an assertion that is not valid yet (nbf)', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      const nbf = Math.floor(clock.now() / 1000) + 30
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ claims: { nbf } }))))
    })

    it('refuses an exp further than 300 seconds away by default', async () => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ expiresIn: 301 }))))
      expect(calls).toHaveLength(0)
      expect((await send(provider, assertionParams(await keyAssertion({ expiresIn: 300 })))).status).toBe(200)
    })

    it('refuses an exp further than setMaxAssertionLifetime', async () => {
      const { provider } = setup({ clients: [keyClient()], maxAssertionLifetime: 30 })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ expiresIn: 31 }))))
      const { provider: longer } = setup({ clients: [keyClient()], maxAssertionLifetime: 600 })
      expect((await send(longer, assertionParams(await keyAssertion({ expiresIn: 600 })))).status).toBe(200)
    })
  })

  describe('jti', () => {
    it('refuses an assertion without jti', async () => {
      const { provider } = setup({ clients: [keyClient(), secretClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ jti: null }))))
      expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ jti: null }))))
    })

    it('refuses a jti that is not a non-empty string (RFC 7519 §4.1.7)', async () => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      for (const jti of [42, { id: 'x' }, '']) {
        expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ jti: null, claims: { jti } as never }))))
      }
      expect(calls).toHaveLength(0)
    })

    it('refuses a replayed assertion', async () => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      const assertion = await keyAssertion()
      expect((await send(provider, assertionParams(assertion))).status).toBe(200)
      const replay = await send(provider, assertionParams(assertion))
      expectUnchallenged(replay)
      expect(replay.json['error_description']).toMatch(/already been used/)
      expect(calls).toHaveLength(1)
    })

    it('refuses a new assertion that reuses a jti', async () => {
      const { provider } = setup({ clients: [secretClient()] })
      expect((await send(provider, assertionParams(await secretAssertion({ jti: 'once' })))).status).toBe(200)
      clock.advance(1000)
      expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ jti: 'once' }))))
    })

    it('does not spend the jti of an assertion that failed verification', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      const forged = await keyAssertion({ key: otherEs256.privateKey, jti: 'shared' })
      expectUnchallenged(await send(provider, assertionParams(forged)))
      expect((await send(provider, assertionParams(await keyAssertion({ jti: 'shared' })))).status).toBe(200)
    })
  })

  describe('signature and algorithm', () => {
    it('refuses an unsecured assertion (alg none)', async () => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      const seconds = Math.floor(clock.now() / 1000)
      const unsecured = unsecuredAssertion({ iss: 'key-client', sub: 'key-client', aud: TOKEN_URL, exp: seconds + 60, jti: 'x' })
      expectUnchallenged(await send(provider, assertionParams(unsecured)))
      expect(calls).toHaveLength(0)
    })

    it('refuses an assertion that is not a JWT', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      for (const assertion of ['not-a-jwt', 'a.b.c', 'a.b.c.d.e']) {
        expectUnchallenged(await send(provider, assertionParams(assertion)))
      }
    })

    it('pins the algorithm to the registered token_endpoint_auth_signing_alg', async () => {
      const { provider } = setup({ clients: [keyClient({ token_endpoint_auth_signing_alg: 'RS256' })] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion())))
      const rs256 = await keyAssertion({ alg: 'RS256', key: keys.RS256.privateKey, kid: keys.RS256.kid })
      expect((await send(provider, assertionParams(rs256))).status).toBe(200)
    })

    it('treats a null or empty token_endpoint_auth_signing_alg as not pinned', async () => {
      for (const unset of [null, '']) {
        const { provider } = setup({ clients: [keyClient({ token_endpoint_auth_signing_alg: unset as never })] })
        expect((await send(provider, assertionParams(await keyAssertion()))).status).toBe(200)
      }
    })

    it('pins the HMAC algorithm to the registered token_endpoint_auth_signing_alg', async () => {
      const { provider } = setup({ clients: [secretClient({ client_secret: SECRET_64, token_endpoint_auth_signing_alg: 'HS512' })] })
      expectUnchallenged(await send(provider, assertionParams(await secretAssertion({ key: SECRET_64 }))))
      expect((await send(provider, assertionParams(await secretAssertion({ alg: 'HS512', key: SECRET_64 })))).status).toBe(200)
    })

    it('does not let a registered signing alg widen the algorithms the server accepts', async () => {
      const method = new PrivateKeyJwt().addAlgorithm('ES256')
      const { provider } = setup({ methods: [method], clients: [keyClient({ token_endpoint_auth_signing_alg: 'RS256' })] })
      const rs256 = await keyAssertion({ alg: 'RS256', key: keys.RS256.privateKey, kid: keys.RS256.kid })
      expectUnchallenged(await send(provider, assertionParams(rs256)))
    })

    it('refuses an HMAC assertion from a client registered for private_key_jwt', async () => {
      // The public key must never serve as an HMAC secret (algorithm confusion).
      const { provider } = setup({ clients: [keyClient({ client_secret: SECRET_32 })] })
      const hs256 = await signClientAssertion({ alg: 'HS256', key: SECRET_32, clientId: 'key-client', now: clock.now() })
      expectUnchallenged(await send(provider, assertionParams(hs256)))
    })

    it('refuses a signed assertion from a client registered for client_secret_jwt', async () => {
      const { provider } = setup({ clients: [secretClient({ jwks: { keys: [keys.ES256.publicJwk] } })] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ clientId: 'secret-client' }))))
    })
  })

  describe('client_assertion_type', () => {
    it('refuses a client_assertion_type other than jwt-bearer', async () => {
      const { provider, calls } = setup({ clients: [keyClient()] })
      const assertion = await keyAssertion()
      const res = await send(provider, { ...assertionParams(assertion), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' })
      expectUnchallenged(res)
      expect(calls).toHaveLength(0)
    })

    it('rejects a client_assertion without client_assertion_type as invalid_request', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      const res = await send(provider, { grant_type: 'client_credentials', client_assertion: await keyAssertion() })
      expectError(res, 'invalid_request', 400)
    })

    it('rejects a client_assertion_type without client_assertion as invalid_request', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      expectError(await send(provider, { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER }), 'invalid_request', 400)
    })
  })

  describe('RFC 6749 §5.2 status of a refused assertion', () => {
    it('answers with 400 and no challenge when Basic is not enabled', async () => {
      const { provider } = setup({ clients: [keyClient()] })
      expectUnchallenged(await send(provider, assertionParams(await keyAssertion({ aud: 'https://other.example' }))))
    })

    it('answers with 401 and a Basic challenge when Basic is enabled too', async () => {
      const { provider } = setup({ methods: ['client_secret_basic', 'private_key_jwt'], clients: [keyClient()] })
      expectChallenged(await send(provider, assertionParams(await keyAssertion({ aud: 'https://other.example' }))))
      // The same provider still serves Basic clients.
      const basic = setup({ methods: ['client_secret_basic', 'private_key_jwt'], clients: [{ client_id: 'b', client_secret: 'x', grant_types: ['client_credentials'] }] })
      expect((await send(basic.provider, { grant_type: 'client_credentials' }, { authorization: basicAuth('b', 'x') })).status).toBe(200)
    })
  })
})
