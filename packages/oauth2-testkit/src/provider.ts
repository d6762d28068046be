import { OAuth2ClientCredentialsBuilder, OAuth2TokenResponse, type ClientMetadata, type OAuth2Provider } from '@x/oauth2-core'

/** The issuer origin every test provider uses. */
export const TEST_ORIGIN = 'https://as.example.com'

/** 2026-01-01T12:00:00Z: the frozen start of every test clock. */
export const TEST_START = Date.UTC(2026, 0, 1, 12)

/** A client whose token responses are deterministic, so the core and an adapter give the same bytes. */
export const CONTRACT_CLIENT = { id: 'contract-client', secret: 'contract-secret' } as const

/** A client that gets real, recorded RFC 9068 access tokens, for resource-server tests. */
export const API_CLIENT = { id: 'api-client', secret: 'api-secret' } as const

const CLIENTS: Record<string, ClientMetadata> = {
  [CONTRACT_CLIENT.id]: { client_id: CONTRACT_CLIENT.id, client_secret: CONTRACT_CLIENT.secret, grant_types: ['client_credentials'] },
  [API_CLIENT.id]: { client_id: API_CLIENT.id, client_secret: API_CLIENT.secret, grant_types: ['client_credentials'] },
}

/** A controllable clock in epoch milliseconds. */
export interface TestClock {
  now(): number
  advance(ms: number): void
}

/** What {@link createTestProvider} returns. */
export interface TestProvider {
  provider: OAuth2Provider
  clock: TestClock
  /** Issues a real access token to {@link API_CLIENT} through the core's token endpoint. */
  issueAccessToken(scope?: string): Promise<string>
}

/** Options of {@link createTestProvider}. */
export interface TestProviderOptions {
  /** The issuer's path, e.g. `/auth` (default: none). Endpoints live under it. */
  basePath?: string
  /** Access-token lifetime in seconds (default 600). */
  tokenTtl?: number
}

/**
 * A client_credentials provider on a frozen clock: `client_secret_basic`, scopes `read` and `write`,
 * a token endpoint at `<basePath>/oauth2/token` and a JWKS at `<basePath>/oauth2/keys`.
 */
export function createTestProvider(options: TestProviderOptions = {}): TestProvider {
  let time = TEST_START
  const clock: TestClock = { now: () => time, advance: (ms) => void (time += ms) }
  const issuer = `${TEST_ORIGIN}${options.basePath ?? ''}`
  const provider = OAuth2ClientCredentialsBuilder.create()
    .setIssuer(issuer)
    .setClock(clock.now)
    .setSigningAlgorithm('ES256')
    .setTokenTtl(options.tokenTtl ?? 600)
    .setScopes({ read: 'Read access', write: 'Write access' })
    .findClient((clientId) => CLIENTS[clientId])
    .useAccessTokenJwks(true)
    .jwksRoute()
    .tokenRoute((route) =>
      route.generateToken(async ({ clientId, scope, ttl, createJwtAccessToken }) => {
        if (clientId === CONTRACT_CLIENT.id) {
          return new OAuth2TokenResponse({ access_token: `contract-token.${scope ?? 'none'}` }).setExpiresIn(ttl).setScope(scope)
        }
        const { token } = await createJwtAccessToken!()
        return new OAuth2TokenResponse({ access_token: token }).setExpiresIn(ttl)
      }),
    )
    .build()

  async function issueAccessToken(scope?: string): Promise<string> {
    const result = await provider.handle({
      method: 'POST',
      url: `${issuer}/oauth2/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(API_CLIENT.id, API_CLIENT.secret) },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) }).toString(),
    })
    if (result.status !== 200) throw new Error(`issueAccessToken: the token endpoint answered ${result.status} ${result.body}`)
    return (JSON.parse(result.body) as { access_token: string }).access_token
  }

  return { provider, clock, issueAccessToken }
}

/** RFC 6749 §2.3.1: the client id and secret are form-url-encoded before base64. */
export function basicAuth(clientId: string, secret: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
  return `Basic ${btoa(`${encode(clientId)}:${encode(secret)}`)}`
}
