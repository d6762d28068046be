import { MemoryStore, MultipleFlowsBuilder, OAuth2AuthorizationCodeBuilder, OAuth2ClientCredentialsBuilder } from '@x/oauth2-core'
import { CLIENT_ID, CLIENT_SECRET, FORM_HEADERS, ISSUER, SCOPE, SUBJECT, TOKEN_PATH, TOKEN_TTL, refreshTokenOf } from '../../src/config.mjs'

/** The code the bench's authorization_code grant accepts: it starts a refresh-token family. */
const SEED_CODE = 'bench-seed'
const SCOPES = { read: 'Read access', write: 'Write access' }

/**
 * The core as a user would configure it for the two benchmarked grants, on the built package:
 * - client_credentials with the core's default handler (tokens recorded in the store);
 * - refresh_token with the core's default handler (rotation, reuse detection, RFC 9700 §4.14.2),
 *   fed by an authorization_code grant whose handler (kaapi style) lets the core issue the first
 *   refresh token through `issueTokens`. Only the seeding uses it; it is not measured.
 * `format` `jwt`: RFC 9068 access tokens signed with EdDSA (Ed25519); `opaque`: random tokens.
 *
 * @param {{ format: 'jwt' | 'opaque', now?: () => number, store?: MemoryStore }} options
 */
export function createCoreProvider({ format, now, store }) {
  const jwt = format === 'jwt'
  store ??= new MemoryStore({
    ...(now !== undefined ? { now } : {}),
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
        scope: SCOPE,
      },
    ],
  })
  const clientCredentials = OAuth2ClientCredentialsBuilder.create().setScopes(SCOPES).setTokenTtl(TOKEN_TTL).useAccessTokenJwks(jwt)
  const authorizationCode = OAuth2AuthorizationCodeBuilder.create()
    .setScopes(SCOPES)
    .setTokenTtl(TOKEN_TTL)
    .useAccessTokenJwks(jwt)
    .tokenRoute((route) =>
      route.generateToken(async ({ code, issueTokens }) =>
        code === SEED_CODE ? issueTokens({ sub: SUBJECT, scope: SCOPE, refreshToken: true }) : { error: 'invalid_grant', error_description: 'Unknown code.' },
      ),
    )
  let builder = MultipleFlowsBuilder.create().setIssuer(ISSUER).setStore(store).setSigningAlgorithm('EdDSA')
  if (now !== undefined) builder = builder.setClock(now)
  const provider = builder.add(clientCredentials).add(authorizationCode).build()
  return { provider, store }
}

/** `n` fresh refresh tokens, each of its own grant (a reuse in one chain revokes only that chain). */
export async function seedRefreshTokens(provider, n) {
  const tokens = []
  for (let i = 0; i < n; i++) {
    const result = await provider.handle({
      method: 'POST',
      url: `${ISSUER}${TOKEN_PATH}`,
      headers: FORM_HEADERS,
      body: `grant_type=authorization_code&code=${SEED_CODE}`,
    })
    const token = result.status === 200 ? refreshTokenOf(result.body) : undefined
    if (token === undefined) throw new Error(`seeding a refresh token failed: ${result.status} ${result.body}`)
    tokens.push(token)
  }
  return tokens
}
