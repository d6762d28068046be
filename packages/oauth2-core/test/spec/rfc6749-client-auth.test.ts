import {
  ClientSecretBasic,
  ClientSecretPost,
  NoneAuthMethod,
  OAuth2ClientCredentialsBuilder,
  OAuth2TokenResponse,
  type ClientAuthMethod,
  type ClientAuthMethodName,
  type ClientMetadata,
  type OAuth2ClientCredentialsTokenParams,
  type TokenHandlerResult,
} from '@x/oauth2-core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expectChallenged, expectError, expectUnchallenged, JWT_BEARER, send } from '../fixtures/assertions.js'
import { basicAuth, ISSUER, testClock } from '../fixtures/request.js'
import { extractCredentials } from '../../src/client-auth/presented-credentials.js'

const clock = testClock()
const SECRET = 's3cret-of-client-a'
const CC = { grant_type: 'client_credentials' }

/** A confidential client allowed to use client_credentials. */
function confidential(fields: Partial<ClientMetadata> = {}): ClientMetadata {
  return { client_id: 'client-a', client_secret: SECRET, grant_types: ['client_credentials'], ...fields }
}

interface Setup {
  methods?: (ClientAuthMethod | ClientAuthMethodName)[]
  /** Registered clients; `undefined` builds a provider without findClient. */
  clients?: ClientMetadata[]
  scopes?: Record<string, string>
  answer?: (ctx: OAuth2ClientCredentialsTokenParams) => TokenHandlerResult
}

/** A real client-credentials provider; `calls` holds every context its handler received. */
function setup({ methods = [], clients, scopes, answer }: Setup = {}) {
  const calls: OAuth2ClientCredentialsTokenParams[] = []
  const builder = OAuth2ClientCredentialsBuilder.create().setIssuer(ISSUER).setClock(clock.now)
  for (const method of methods) builder.addClientAuthenticationMethod(method)
  if (clients !== undefined) builder.findClient((id) => clients.find((c) => c.client_id === id))
  if (scopes !== undefined) builder.setScopes(scopes)
  builder.tokenRoute((route) =>
    route.generateToken((ctx) => {
      calls.push(ctx)
      return answer?.(ctx) ?? new OAuth2TokenResponse({ access_token: 'at' })
    }),
  )
  return { provider: builder.build(), calls }
}

describe('RFC 6749 §2.3.1 client_secret_basic', () => {
  it('form-url-decodes the client_id and secret before comparing them', async () => {
    const secret = 'p:a+s%s wörd ✓ 秘密'
    const clientId = 'client:a +1'
    const { provider, calls } = setup({ clients: [confidential({ client_id: clientId, client_secret: secret })] })
    const res = await send(provider, CC, { authorization: basicAuth(clientId, secret) })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ access_token: 'at', token_type: 'Bearer' })
    expect(calls[0]).toMatchObject({ clientId, clientSecret: secret, clientAuthMethod: 'client_secret_basic', clientAuthenticated: true })
  })

  it('decodes any secret the client form-url-encoded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), async (secret) => {
        const { provider } = setup({ clients: [confidential({ client_secret: secret })] })
        const res = await send(provider, CC, { authorization: basicAuth('client-a', secret) })
        expect(res.status).toBe(200)
      }),
      { numRuns: 50 },
    )
  })

  it('reads a + in the encoded credentials as a space (application/x-www-form-urlencoded)', async () => {
    const { provider, calls } = setup({ clients: [confidential({ client_secret: 'a b' })] })
    const res = await send(provider, CC, { authorization: `Basic ${btoa('client-a:a+b')}` })
    expect(res.status).toBe(200)
    expect(calls[0]?.clientSecret).toBe('a b')
  })

  it('accepts the Basic scheme name in any case (RFC 9110 §11.1)', async () => {
    const { provider } = setup({ clients: [confidential()] })
    const res = await send(provider, CC, { authorization: basicAuth('client-a', SECRET).replace('Basic', 'bAsIc') })
    expect(res.status).toBe(200)
  })

  const malformed: [string, string][] = [
    ['just "Basic"', 'Basic'],
    ['"Basic" and blanks', 'Basic   '],
    ['bad base64', 'Basic !!not*base64!!'],
    ['base64 with a space inside', `Basic ${btoa('client-a:')} ${btoa(SECRET)}`],
    ['no colon', `Basic ${btoa('client-a')}`],
    ['an empty client_id', `Basic ${btoa(`:${SECRET}`)}`],
    ['a broken percent-encoding', `Basic ${btoa('client-a:%zz')}`],
    ['bytes that are not UTF-8', `Basic ${btoa('client-a:\xff\xfe')}`],
  ]

  it.each(malformed)('answers a Basic header with %s with 401 invalid_client and a Basic challenge', async (_, authorization) => {
    const { provider, calls } = setup({ clients: [confidential()] })
    const res = await send(provider, CC, { authorization })
    expectChallenged(res)
    expect(calls).toHaveLength(0)
  })

  it.each(malformed)('challenges a Basic header with %s even where only client_secret_post is enabled', async (_, authorization) => {
    const { provider } = setup({ methods: ['client_secret_post'] })
    // RFC 6749 §5.2: a client that tried the Authorization header MUST get a 401 with a matching challenge.
    expectChallenged(await send(provider, CC, { authorization }))
  })

  // The usual header (`Basic <token68>`, one space) is read by a single pattern; any other form by
  // the general reading. Both must give the same client, or the same error, for the same credentials.
  it('reads `Basic <credentials>` as it reads the same credentials with other spacing (RFC 7617 §2)', () => {
    const token68 = fc.oneof(
      fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 12 })).map(([id, secret]) => Buffer.from(`${id}:${secret}`).toString('base64')),
      fc.string({ unit: fc.constantFrom(...'AZaz09+/=:%!'), maxLength: 16 }),
    )
    const outcome = (authorization: string) => {
      try {
        return extractCredentials(authorization, {})
      } catch (error) {
        return { error: (error as { error?: string }).error }
      }
    }
    fc.assert(
      fc.property(fc.constantFrom('Basic', 'basic', 'BASIC', 'bAsIc'), token68, (scheme, credentials) => {
        expect(outcome(`${scheme} ${credentials}`)).toEqual(outcome(`  ${scheme} \t ${credentials}  `))
      }),
      { numRuns: 2000 },
    )
  })

  it('never answers an arbitrary Basic header with a 500', async () => {
    const { provider } = setup({ clients: [confidential()] })
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary-ascii', maxLength: 60 }), async (value) => {
        const res = await send(provider, CC, { authorization: `Basic ${value}` })
        expect([200, 400, 401]).toContain(res.status)
      }),
      { numRuns: 200 },
    )
  })

  it('refuses a wrong secret with 401 invalid_client and a Basic challenge', async () => {
    const { provider, calls } = setup({ clients: [confidential()] })
    const res = await send(provider, CC, { authorization: basicAuth('client-a', `${SECRET}x`) })
    expectChallenged(res)
    expect(res.json['error_description']).not.toContain(SECRET)
    expect(calls).toHaveLength(0)
  })

  it('refuses a client the lookup answered for another client_id (a case-insensitive lookup), with the right secret (RFC 6749 §2.2)', async () => {
    const calls: unknown[] = []
    const provider = OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .findClient((id) => (id.toLowerCase() === 'client-a' ? confidential() : undefined))
      .tokenRoute((route) =>
        route.generateToken((ctx) => {
          calls.push(ctx)
          return new OAuth2TokenResponse({ access_token: 'at' })
        }),
      )
      .build()
    expect((await send(provider, CC, { authorization: basicAuth('client-a', SECRET) })).status).toBe(200)
    expectChallenged(await send(provider, CC, { authorization: basicAuth('CLIENT-A', SECRET) }))
    expect(calls).toHaveLength(1)
  })

  it('refuses an empty secret for a client with a secret', async () => {
    const { provider } = setup({ clients: [confidential()] })
    expectChallenged(await send(provider, CC, { authorization: basicAuth('client-a', '') }))
  })

  it('is the method enabled when the builder adds none', async () => {
    const { provider } = setup()
    const res = await send(provider, CC, { authorization: basicAuth('client-a', SECRET) })
    expect(res.status).toBe(200)
    expectChallenged(await send(provider, { ...CC, client_id: 'client-a', client_secret: SECRET }))
  })
})

describe('RFC 6749 §2.3.1 client_secret_post', () => {
  it('authenticates a client with client_id and client_secret in the body', async () => {
    const { provider, calls } = setup({ methods: [new ClientSecretPost()], clients: [confidential({ token_endpoint_auth_method: 'client_secret_post' })] })
    const res = await send(provider, { ...CC, client_id: 'client-a', client_secret: SECRET })
    expect(res.status).toBe(200)
    expect(calls[0]).toMatchObject({ clientId: 'client-a', clientSecret: SECRET, clientAuthMethod: 'client_secret_post', clientAuthenticated: true })
  })

  it('refuses client_secret without client_id as invalid_request', async () => {
    const { provider, calls } = setup({ methods: ['client_secret_post'], clients: [confidential({ token_endpoint_auth_method: 'client_secret_post' })] })
    expectError(await send(provider, { ...CC, client_secret: SECRET }), 'invalid_request', 400)
    expect(calls).toHaveLength(0)
  })

  it('refuses a wrong secret with 400 invalid_client and no challenge when Basic is not enabled', async () => {
    const { provider } = setup({ methods: ['client_secret_post'], clients: [confidential({ token_endpoint_auth_method: 'client_secret_post' })] })
    expectUnchallenged(await send(provider, { ...CC, client_id: 'client-a', client_secret: 'wrong' }))
  })

  it('refuses a wrong secret with 401 and a Basic challenge when Basic is enabled too', async () => {
    const { provider } = setup({
      methods: ['client_secret_basic', 'client_secret_post'],
      clients: [confidential({ token_endpoint_auth_method: 'client_secret_post' })],
    })
    expectChallenged(await send(provider, { ...CC, client_id: 'client-a', client_secret: 'wrong' }))
  })
})

describe('RFC 6749 §2.3 one client authentication method per request', () => {
  const assertion = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJjbGllbnQtYSIsInN1YiI6ImNsaWVudC1hIn0.c2ln'
  const cases: [string, Record<string, string>, Record<string, string>][] = [
    ['Basic and client_secret in the body', { client_secret: SECRET }, { authorization: basicAuth('client-a', SECRET) }],
    ['Basic and a client assertion', { client_assertion_type: JWT_BEARER, client_assertion: assertion }, { authorization: basicAuth('client-a', SECRET) }],
    ['client_secret and a client assertion', { client_id: 'client-a', client_secret: SECRET, client_assertion_type: JWT_BEARER, client_assertion: assertion }, {}],
    ['Basic and a lone client_assertion_type', { client_assertion_type: JWT_BEARER }, { authorization: basicAuth('client-a', SECRET) }],
  ]

  it.each(cases)('rejects %s as invalid_request', async (_, body, headers) => {
    const { provider, calls } = setup({ methods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'], clients: [confidential()] })
    const res = await send(provider, { ...CC, ...body }, headers)
    expectError(res, 'invalid_request', 400)
    expect(calls).toHaveLength(0)
  })

  it('rejects a body client_id that differs from the Basic client_id as invalid_request', async () => {
    const { provider, calls } = setup({ clients: [confidential()] })
    const res = await send(provider, { ...CC, client_id: 'client-b' }, { authorization: basicAuth('client-a', SECRET) })
    expectError(res, 'invalid_request', 400)
    expect(calls).toHaveLength(0)
  })

  it('accepts a body client_id equal to the Basic client_id', async () => {
    const { provider } = setup({ clients: [confidential()] })
    const res = await send(provider, { ...CC, client_id: 'client-a' }, { authorization: basicAuth('client-a', SECRET) })
    expect(res.status).toBe(200)
  })
})

describe('RFC 6749 §5.2 invalid_client', () => {
  it('answers a request without credentials with 401 and a Basic challenge when Basic is enabled', async () => {
    const { provider, calls } = setup({ methods: ['client_secret_basic', 'private_key_jwt'], clients: [confidential()] })
    expectChallenged(await send(provider, CC))
    expect(calls).toHaveLength(0)
  })

  it('answers a request without credentials with 400 and no challenge when Basic is not enabled', async () => {
    const { provider } = setup({ methods: ['private_key_jwt'], clients: [confidential()] })
    expectUnchallenged(await send(provider, CC))
  })

  it('treats another Authorization scheme as no client credentials', async () => {
    const { provider, calls } = setup({ clients: [confidential()] })
    expectChallenged(await send(provider, CC, { authorization: 'Bearer some-token' }))
    expect(calls).toHaveLength(0)
  })

  it('challenges the invalid_client a handler returns when the client used Basic, keeping its error_uri', async () => {
    const uri = 'https://as.example.com/errors/revoked'
    const { provider } = setup({ answer: () => ({ error: 'invalid_client', error_description: 'Client revoked.', error_uri: uri }) })
    const res = await send(provider, CC, { authorization: basicAuth('client-a', SECRET) })
    expectChallenged(res)
    expect(res.json).toEqual({ error: 'invalid_client', error_description: 'Client revoked.', error_uri: uri })
  })

  it('never tells which client ids exist: a known client with a guessed secret reads as an unknown one (docs/errors.md)', async () => {
    const past = Math.floor(clock.now() / 1000) - 1
    const { provider } = setup({
      methods: ['client_secret_basic', 'client_secret_post'],
      clients: [confidential(), confidential({ client_id: 'client-b', token_endpoint_auth_method: 'client_secret_post' }), confidential({ client_id: 'client-c', client_secret_expires_at: past })],
    })
    const unknown = await send(provider, CC, { authorization: basicAuth('nobody', 'guess') })
    expectChallenged(unknown)
    expect(unknown.json['error_description']).toBe('Client authentication failed.')
    for (const res of [
      await send(provider, CC, { authorization: basicAuth('client-a', 'guess') }),
      // Registered for client_secret_post, presented with Basic.
      await send(provider, CC, { authorization: basicAuth('client-b', 'guess') }),
      // An expired secret, guessed wrong.
      await send(provider, CC, { authorization: basicAuth('client-c', 'guess') }),
    ]) {
      expectChallenged(res)
      expect(res.json).toEqual(unknown.json)
    }
  })

  it('tells the holder of an expired secret, and only them, that it expired (RFC 7591 §3.2.1)', async () => {
    const { provider, calls } = setup({ clients: [confidential({ client_secret_expires_at: Math.floor(clock.now() / 1000) - 1 })] })
    const res = await send(provider, CC, { authorization: basicAuth('client-a', SECRET) })
    expectChallenged(res)
    expect(res.json['error_description']).toBe('The client secret has expired.')
    expect(calls).toHaveLength(0)
  })

  it('answers the invalid_client a handler returns with 400 and no challenge when Basic is not in play', async () => {
    const { provider } = setup({ methods: ['client_secret_post'], answer: () => ({ error: 'invalid_client' }) })
    const res = await send(provider, { ...CC, client_id: 'client-a', client_secret: SECRET })
    expectUnchallenged(res)
    expect(res.json).toEqual({ error: 'invalid_client' })
  })
})

describe('RFC 6749 §2.3 client authentication methods the server enables', () => {
  it('refuses a method the builder did not enable as invalid_client', async () => {
    const { provider, calls } = setup({ methods: ['client_secret_basic'], clients: [confidential({ token_endpoint_auth_method: 'client_secret_post' })] })
    expectChallenged(await send(provider, { ...CC, client_id: 'client-a', client_secret: SECRET }))
    expect(calls).toHaveLength(0)
  })

  it('refuses a bare client_id (none) unless none is enabled', async () => {
    const { provider } = setup({ methods: ['client_secret_post'] })
    expectUnchallenged(await send(provider, { ...CC, client_id: 'client-a' }))
  })

  const byName: [ClientAuthMethodName, ClientAuthMethod][] = [
    ['client_secret_basic', new ClientSecretBasic()],
    ['client_secret_post', new ClientSecretPost()],
  ]

  it.each(byName)('enables %s by its IANA name as by its class', async (name, strategy) => {
    const request = (): [Record<string, string>, Record<string, string>] =>
      name === 'client_secret_basic'
        ? [CC, { authorization: basicAuth('client-a', SECRET) }]
        : [{ ...CC, client_id: 'client-a', client_secret: SECRET }, {}]
    for (const method of [name, strategy]) {
      // Enable the other secret method too, so that only the one under test can explain a 200.
      const other = name === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic'
      const { provider, calls } = setup({ methods: [method], clients: [confidential({ token_endpoint_auth_method: name })] })
      expect((await send(provider, ...request())).status).toBe(200)
      expect(calls[0]?.clientAuthMethod).toBe(name)
      const { provider: without } = setup({ methods: [other], clients: [confidential({ token_endpoint_auth_method: name })] })
      expect((await send(without, ...request())).json['error']).toBe('invalid_client')
    }
  })

  it('enables none by its IANA name as by its class', async () => {
    for (const method of ['none', new NoneAuthMethod()] as const) {
      // A public client of the authorization code flow: client_credentials then says unauthorized_client, not invalid_client.
      const { provider } = setup({ methods: [method], clients: [{ client_id: 'public', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }] })
      expectError(await send(provider, { ...CC, client_id: 'public' }), 'unauthorized_client', 400)
    }
  })

  it('throws a TypeError for a name that is not an implemented IANA method', () => {
    const builder = OAuth2ClientCredentialsBuilder.create()
    expect(() => builder.addClientAuthenticationMethod('tls_client_auth' as ClientAuthMethodName)).toThrow(TypeError)
  })
})

describe('RFC 7591 §2 registered client metadata', () => {
  it('refuses an unknown client as invalid_client', async () => {
    const { provider, calls } = setup({ clients: [confidential()] })
    expectChallenged(await send(provider, CC, { authorization: basicAuth('client-b', SECRET) }))
    expect(calls).toHaveLength(0)
  })

  it('enforces the registered token_endpoint_auth_method', async () => {
    const { provider, calls } = setup({
      methods: ['client_secret_basic', 'client_secret_post'],
      clients: [confidential({ token_endpoint_auth_method: 'client_secret_post' })],
    })
    expectChallenged(await send(provider, CC, { authorization: basicAuth('client-a', SECRET) }))
    expect(calls).toHaveLength(0)
    expect((await send(provider, { ...CC, client_id: 'client-a', client_secret: SECRET })).status).toBe(200)
  })

  it('defaults token_endpoint_auth_method to client_secret_basic', async () => {
    const { provider } = setup({ methods: ['client_secret_basic', 'client_secret_post'], clients: [confidential()] })
    expectChallenged(await send(provider, { ...CC, client_id: 'client-a', client_secret: SECRET }))
    expect((await send(provider, CC, { authorization: basicAuth('client-a', SECRET) })).status).toBe(200)
  })

  it('refuses a secret past client_secret_expires_at (RFC 7591 §3.2.1)', async () => {
    const seconds = Math.floor(clock.now() / 1000)
    const authorization = basicAuth('client-a', SECRET)
    const expired = setup({ clients: [confidential({ client_secret_expires_at: seconds })] })
    expectChallenged(await send(expired.provider, CC, { authorization }))
    expect(expired.calls).toHaveLength(0)
    const valid = setup({ clients: [confidential({ client_secret_expires_at: seconds + 1 })] })
    expect((await send(valid.provider, CC, { authorization })).status).toBe(200)
    const never = setup({ clients: [confidential({ client_secret_expires_at: 0 })] })
    expect((await send(never.provider, CC, { authorization })).status).toBe(200)
  })

  it('refuses a grant type the client did not register as unauthorized_client', async () => {
    const { provider, calls } = setup({ clients: [confidential({ grant_types: ['authorization_code', 'refresh_token'] })] })
    expectError(await send(provider, CC, { authorization: basicAuth('client-a', SECRET) }), 'unauthorized_client', 400)
    expect(calls).toHaveLength(0)
  })

  it('defaults grant_types to ["authorization_code"]', async () => {
    const { grant_types: _, ...client } = confidential()
    const { provider } = setup({ clients: [client] })
    expectError(await send(provider, CC, { authorization: basicAuth('client-a', SECRET) }), 'unauthorized_client', 400)
  })

  it('refuses a scope outside the client\'s registered scope as invalid_scope', async () => {
    const { provider, calls } = setup({ clients: [confidential({ scope: 'read write' })] })
    const authorization = basicAuth('client-a', SECRET)
    expectError(await send(provider, { ...CC, scope: 'read admin' }, { authorization }), 'invalid_scope', 400)
    expect(calls).toHaveLength(0)
    expect((await send(provider, { ...CC, scope: 'write read' }, { authorization })).status).toBe(200)
    expect(calls[0]?.scopes).toEqual(['write', 'read'])
  })

  it('matches requested scopes against whole registered scope tokens, never substrings (RFC 6749 §3.3)', async () => {
    const authorization = basicAuth('client-a', SECRET)
    for (const registered of ['readwrite', 'xread write', 'write reads', 'rea d']) {
      const { provider, calls } = setup({ clients: [confidential({ scope: registered })] })
      expectError(await send(provider, { ...CC, scope: 'read' }, { authorization }), 'invalid_scope', 400)
      expect(calls, registered).toHaveLength(0)
    }
    for (const registered of ['read', 'write read', 'write  read', 'a read b']) {
      const { provider } = setup({ clients: [confidential({ scope: registered })] })
      expect((await send(provider, { ...CC, scope: 'read' }, { authorization })).status, registered).toBe(200)
    }
  })

  it('checks more than 16 requested scopes against the registered list as well', async () => {
    const many = Array.from({ length: 20 }, (_, i) => `s${i}`)
    const authorization = basicAuth('client-a', SECRET)
    const { provider, calls } = setup({ clients: [confidential({ scope: many.join(' ') })] })
    expect((await send(provider, { ...CC, scope: [...many].reverse().join(' ') }, { authorization })).status).toBe(200)
    expect(calls[0]?.scopes).toHaveLength(20)
    expectError(await send(provider, { ...CC, scope: [...many, 's20'].join(' ') }, { authorization }), 'invalid_scope', 400)
  })

  it('gives the handler the verified client: clientAuthenticated, its metadata, the method', async () => {
    const client = confidential({ client_name: 'Client A', scope: 'read' })
    const { provider, calls } = setup({ clients: [client] })
    await send(provider, CC, { authorization: basicAuth('client-a', SECRET) })
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ clientId: 'client-a', clientAuthenticated: true, clientAuthMethod: 'client_secret_basic', client })
  })
})

describe('RFC 6749 §4.4 client_credentials is for confidential clients only', () => {
  it('refuses a registered public client as unauthorized_client', async () => {
    const { provider, calls } = setup({
      methods: ['none', 'client_secret_basic'],
      clients: [{ client_id: 'public', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }],
    })
    expectError(await send(provider, { ...CC, client_id: 'public' }), 'unauthorized_client', 400)
    expect(calls).toHaveLength(0)
  })

  it('refuses a public client as unauthorized_client without findClient', async () => {
    const { provider, calls } = setup({ methods: ['none'] })
    expectError(await send(provider, { ...CC, client_id: 'public' }), 'unauthorized_client', 400)
    expect(calls).toHaveLength(0)
  })
})

describe('client authentication without findClient (the handler verifies, as in kaapi)', () => {
  it('passes Basic credentials to the handler unverified', async () => {
    const { provider, calls } = setup()
    const res = await send(provider, CC, { authorization: basicAuth('any-client', 'any:secret') })
    expect(res.status).toBe(200)
    expect(calls[0]).toMatchObject({ clientId: 'any-client', clientSecret: 'any:secret', clientAuthMethod: 'client_secret_basic', clientAuthenticated: false })
    expect(calls[0]?.client).toBeUndefined()
  })

  it('passes client_secret_post credentials to the handler unverified', async () => {
    const { provider, calls } = setup({ methods: ['client_secret_post'] })
    await send(provider, { ...CC, client_id: 'any-client', client_secret: 'any secret' })
    expect(calls[0]).toMatchObject({ clientId: 'any-client', clientSecret: 'any secret', clientAuthMethod: 'client_secret_post', clientAuthenticated: false })
  })

  it('lets the handler refuse the secret with invalid_client', async () => {
    const { provider } = setup({ answer: (ctx) => (ctx.clientSecret === SECRET ? null : { error: 'invalid_client' }) })
    expectChallenged(await send(provider, CC, { authorization: basicAuth('client-a', 'guess') }))
  })

  it('still refuses a malformed Basic header before the handler runs', async () => {
    const { provider, calls } = setup()
    expectChallenged(await send(provider, CC, { authorization: `Basic ${btoa('no-colon')}` }))
    expect(calls).toHaveLength(0)
  })
})
