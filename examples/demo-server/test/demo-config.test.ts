import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatBanner } from '../src/banner.js'
import { DemoConfigError, defaultDemoConfig, loadDemoConfig, parseDemoConfig } from '../src/config.js'
import { startDemo, type DemoServer } from '../src/demo.js'
import { FRAMEWORKS } from '../src/frameworks/types.js'
import { Browser } from './browser.js'
import { runCurl } from './curl.js'

const insecure = { [oauth.allowInsecureRequests]: true } as const

const SERVICE = { client_id: 'svc', client_secret: 's3cret', token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials'] }
const USER = { username: 'carol', password: 'c4r0l', sub: 'carol-1' }

function problems(input: unknown): string {
  try {
    parseDemoConfig(input, 'test.json')
  } catch (error) {
    expect(error).toBeInstanceOf(DemoConfigError)
    return (error as Error).message
  }
  throw new Error('expected the configuration to be refused')
}

describe('DEMO_CONFIG parsing', () => {
  it('accepts the default demo configuration unchanged', () => {
    const config = defaultDemoConfig('http://localhost:3000')
    expect(parseDemoConfig(JSON.parse(JSON.stringify(config)))).toEqual(config)
  })

  it('ignores client metadata and user fields it does not know (RFC 7591 §2)', () => {
    const config = parseDemoConfig({
      clients: [{ ...SERVICE, logo_uri: 'https://example.com/logo.png', software_statement: 'eyJ...', x_custom: { nested: true } }],
      users: [{ ...USER, name: 'Carol', favourite_colour: 'teal' }],
    })
    expect(config.clients[0]).not.toHaveProperty('logo_uri')
    expect(config.clients[0]).not.toHaveProperty('x_custom')
    expect(config.users[0]).toEqual({ ...USER, name: 'Carol' })
  })

  it('applies the RFC 7591 §2 defaults: client_secret_basic, the authorization_code grant, the code response type', () => {
    const config = parseDemoConfig({ clients: [{ client_id: 'web', client_secret: 'x', redirect_uris: ['https://app.example.com/cb'] }], users: [] })
    expect(config.clients[0]).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code'], response_types: ['code'] })
  })

  it('accepts every token_endpoint_auth_method the core implements', () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] }
    const config = parseDemoConfig({
      clients: [
        { client_id: 'a', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/cb'] },
        { ...SERVICE, client_id: 'b', token_endpoint_auth_method: 'client_secret_basic' },
        { ...SERVICE, client_id: 'c', token_endpoint_auth_method: 'client_secret_post' },
        { ...SERVICE, client_id: 'd', token_endpoint_auth_method: 'client_secret_jwt' },
        { client_id: 'e', token_endpoint_auth_method: 'private_key_jwt', jwks, grant_types: ['client_credentials'] },
      ],
      users: [],
    })
    expect(config.clients.map((c) => c.token_endpoint_auth_method)).toEqual(['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'])
  })

  it('names the location of each problem, all at once', () => {
    const message = problems({
      clients: [{ ...SERVICE, token_endpoint_auth_method: 'tls_client_auth', redirect_uris: ['not a url'] }],
      users: [{ username: 'carol', sub: 'carol-1', email: 'not-an-email' }],
    })
    expect(message).toContain('test.json is not a valid demo configuration')
    expect(message).toContain('clients[0].token_endpoint_auth_method: must be one of none, client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt')
    expect(message).toContain('clients[0].redirect_uris[0]: must be an absolute URL')
    expect(message).toContain('users[0].password: is required')
    expect(message).toContain('users[0].email: must be an email address')
  })

  it.each([
    ['no clients key', { users: [] }, 'clients: is required'],
    ['a client that is not an object', { clients: ['web'], users: [] }, 'clients[0]: must be an object of client metadata'],
    ['an empty client list', { clients: [], users: [] }, 'clients: needs at least one client'],
    ['a secret method without a secret', { clients: [{ client_id: 'x', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] }], users: [] }, 'client_secret_post needs a client_secret'],
    ['a public client with a secret', { clients: [{ client_id: 'x', client_secret: 'y', token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/cb'] }], users: [] }, 'must not have a client_secret'],
    ['private_key_jwt without keys', { clients: [{ client_id: 'x', token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'] }], users: [] }, 'private_key_jwt needs jwks'],
    ['authorization_code without redirect_uris', { clients: [{ client_id: 'x', client_secret: 'y' }], users: [] }, 'needs redirect_uris'],
    ['a redirect URI with a fragment', { clients: [{ client_id: 'x', client_secret: 'y', redirect_uris: ['https://a.example/cb#frag'] }], users: [] }, 'must not have a fragment'],
    ['an unknown grant type', { clients: [{ ...SERVICE, grant_types: ['password'] }], users: [] }, 'clients[0].grant_types[0]: must be one of'],
    ['a public client_credentials client', { clients: [{ client_id: 'x', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }], users: [] }, 'client_credentials needs a confidential client'],
    ['a malformed scope', { clients: [{ ...SERVICE, scope: 'a  "b"' }], users: [] }, 'clients[0].scope'],
    ['two clients with one client_id', { clients: [SERVICE, SERVICE], users: [] }, 'two clients have the same client_id'],
    ['two users with one username', { clients: [SERVICE], users: [USER, { ...USER, sub: 'other' }] }, 'two users have the same username'],
    ['two users with one sub', { clients: [SERVICE], users: [USER, { ...USER, username: 'other' }] }, 'two users have the same sub'],
    ['a user without sub', { clients: [SERVICE], users: [{ username: 'carol', password: 'x' }] }, 'users[0].sub: is required'],
    ['a boolean claim given as text', { clients: [SERVICE], users: [{ ...USER, email_verified: 'yes' }] }, 'users[0].email_verified'],
    ['an array at the top', [], '(top level): must be a JSON object'],
  ])('refuses %s', (_, input, expected) => {
    expect(problems(input)).toContain(expected)
  })
})

describe('DEMO_CONFIG files', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'demo-config-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('loads a valid file', async () => {
    const path = join(dir, 'ok.json')
    await writeFile(path, JSON.stringify({ clients: [SERVICE], users: [USER] }))
    expect(await loadDemoConfig(path)).toEqual({ clients: [{ ...SERVICE, response_types: ['code'] }], users: [USER] })
  })

  it('loads the example file of the package README', async () => {
    const config = await loadDemoConfig(fileURLToPath(new URL('../demo-config.example.json', import.meta.url)))
    expect(config.clients.map((c) => c.client_id)).toEqual(['my-spa', 'orders-worker', 'partner-backend'])
    expect(config.clients[1]).not.toHaveProperty('software_id')
    expect(config.users[0]).toMatchObject({ username: 'carol', sub: '2f1c7a9e-carol' })
  })

  it('says when the file cannot be read', async () => {
    await expect(loadDemoConfig(join(dir, 'missing.json'))).rejects.toThrow(/DEMO_CONFIG=.*missing\.json: cannot read the file \(ENOENT\)/)
  })

  it('says when the file is not JSON', async () => {
    const path = join(dir, 'broken.json')
    await writeFile(path, '{ "clients": [ }')
    await expect(loadDemoConfig(path)).rejects.toThrow(/DEMO_CONFIG=.*broken\.json: not valid JSON/)
  })

  it('names the file in validation errors', async () => {
    const path = join(dir, 'invalid.json')
    await writeFile(path, JSON.stringify({ clients: [{ client_id: '' }], users: [] }))
    await expect(loadDemoConfig(path)).rejects.toThrow(/DEMO_CONFIG=.*invalid\.json is not a valid demo configuration:\n {2}- clients\[0\]\.client_id: must not be empty/)
  })
})

describe.each(FRAMEWORKS)('a DEMO_CONFIG replacing the clients and users, on %s', (framework) => {
  let demo: DemoServer
  let as: oauth.AuthorizationServer
  let privateKey: CryptoKey
  const partner: oauth.Client = { client_id: 'partner-app' }
  const REDIRECT = 'https://partner.example/cb'
  const JWT_SECRET = 'a-shared-secret-that-is-long-enough-for-HS256'

  beforeAll(async () => {
    const pair = await oauth.generateKeyPair('ES256', { extractable: true })
    privateKey = pair.privateKey
    const publicJwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid: 'partner-1', alg: 'ES256', use: 'sig' }
    const config = parseDemoConfig({
      clients: [
        {
          client_id: 'partner-app',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [publicJwk] },
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile offline_access reports:read',
          logo_uri: 'https://partner.example/logo.png',
        },
        { client_id: 'batch-job', client_secret: 'batch-secret', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], scope: 'reports:read' },
        { client_id: 'signed-job', client_secret: JWT_SECRET, token_endpoint_auth_method: 'client_secret_jwt', grant_types: ['client_credentials'], scope: 'reports:read' },
      ],
      users: [{ username: 'carol', password: 'c4r0l', sub: 'carol-1', name: 'Carol Danvers', email: 'carol@example.com', favourite_colour: 'teal' }],
    })
    demo = await startDemo({ port: 0, host: '127.0.0.1', framework, config })
    const issuer = new URL(demo.issuer)
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }))
  })
  afterAll(async () => {
    await demo?.close()
  })

  it('serves its private_key_jwt client the authorization code flow, with its scopes and its user', async () => {
    const clientAuth = oauth.PrivateKeyJwt({ key: privateKey, kid: 'partner-1' })
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const url = new URL(as.authorization_endpoint!)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: 'partner-app',
      redirect_uri: REDIRECT,
      scope: 'openid profile offline_access reports:read',
      state: 'st',
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).toString()
    const browser = new Browser()
    const consent = await browser.submit(await browser.get(url.href), { username: 'carol', password: 'c4r0l' })
    expect(consent.body).toContain('reports:read')
    const redirect = await browser.submit(consent, { oauth2_decision: 'allow' })
    const params = oauth.validateAuthResponse(as, partner, new URL(redirect.headers.get('location')!), 'st')
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      partner,
      await oauth.authorizationCodeGrantRequest(as, partner, clientAuth, params, REDIRECT, codeVerifier, insecure),
      { requireIdToken: true },
    )
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('carol-1')
    const userInfo = await oauth.processUserInfoResponse(as, partner, 'carol-1', await oauth.userInfoRequest(as, partner, tokens.access_token, insecure))
    expect(userInfo).toEqual({ sub: 'carol-1', name: 'Carol Danvers' })
    const refreshed = await oauth.processRefreshTokenResponse(as, partner, await oauth.refreshTokenGrantRequest(as, partner, clientAuth, tokens.refresh_token!, insecure))
    expect(refreshed.scope).toBe('openid profile offline_access reports:read')
  })

  it('serves client_credentials to its client_secret_post and client_secret_jwt clients', async () => {
    for (const [client, clientAuth] of [
      [{ client_id: 'batch-job' }, oauth.ClientSecretPost('batch-secret')],
      [{ client_id: 'signed-job' }, oauth.ClientSecretJwt(JWT_SECRET)],
    ] as const) {
      const tokens = await oauth.processClientCredentialsResponse(as, client, await oauth.clientCredentialsGrantRequest(as, client, clientAuth, { scope: 'reports:read' }, insecure))
      const me = await fetch(`${demo.issuer}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect(await me.json()).toMatchObject({ client_id: client.client_id, scope: 'reports:read' })
    }
  })

  it('no longer knows the default clients and users', async () => {
    const service: oauth.Client = { client_id: 'demo-service' }
    const response = await oauth.clientCredentialsGrantRequest(as, service, oauth.ClientSecretBasic('demo-service-secret'), {}, insecure)
    expect(response.status).toBe(401)
    const banner = formatBanner(demo)
    expect(banner).toContain('carol / c4r0l')
    expect(banner).not.toContain('alice')
    const command = banner.split('\n').find((line) => line.includes('grant_type=client_credentials'))!
    expect(command).toContain('-d client_id=batch-job -d client_secret=batch-secret')
    expect((await runCurl(command)).status).toBe(200)
  })
})
