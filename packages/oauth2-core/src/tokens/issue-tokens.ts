import type { FlowConfig } from '../config.js'
import type { ClientMetadata } from '../client-auth/client-metadata.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { sha256 } from '../internal/hash.js'
import { randomToken } from '../internal/random.js'
import { createIdToken } from './id-token.js'
import { createJwtAccessToken } from './jwt-access-token.js'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './key-store.js'
import { OAuth2TokenResponse } from './token-response.js'

/** What a grant carries from the authorization step to the tokens it yields. */
export interface GrantRecord {
  /** Ties every code, token and refresh token of one authorization together (family revocation). */
  grantId: string
  clientId: string
  /** The resource owner; `undefined` for client_credentials (the access token's `sub` is then the client). */
  sub: string | undefined
  /** Granted scope tokens. */
  scope: string[]
  /** OIDC: when the user authenticated (epoch seconds). */
  authTime?: number
  acr?: string
  amr?: string[]
  /** OIDC: the authorization request's nonce, for the ID token. */
  nonce?: string
  /** Extra claims for the access token (e.g. from the user's session). */
  claims?: Record<string, unknown>
}

/** What is stored for every access token the core issues (kind `access_token`, id = SHA-256 of the token or its `jti`). */
export interface AccessTokenEntry {
  [field: string]: unknown
  grantId: string
  clientId: string
  sub: string | undefined
  scope: string
  /** `'jwt'` (the entry is keyed by the `jti`) or `'opaque'` (keyed by the token). */
  format: 'jwt' | 'opaque'
  iat: number
  exp: number
}

/** What is stored for every refresh token the core issues (kind `refresh_token`, id = SHA-256 of the token). */
export interface RefreshTokenEntry extends Omit<GrantRecord, 'nonce'> {
  [field: string]: unknown
  /** When the family began (epoch ms): the absolute lifetime counts from here. */
  familyCreatedAt: number
  /** When this token was issued (epoch ms). */
  issuedAt: number
}

/** Options of {@link issueTokens}. */
export interface IssueTokensOptions {
  grant: GrantRecord
  flow: FlowConfig
  runtime: ProviderRuntime
  client: ClientMetadata | undefined
  /** Issue a refresh token too (the flow serves `refresh_token` and the grant allows it). */
  refreshToken: boolean
  /** For a rotation: when the family began (epoch ms); a new family otherwise. */
  familyCreatedAt?: number
}

/**
 * The core's default token issuance, used where a route has no `generateToken`: an access token
 * (RFC 9068 JWT when the flow signs them, else opaque), a refresh token, and an ID token when
 * `openid` was granted. Every token is recorded in the store under a hash, with its grant id, so
 * revoking the grant revokes them all.
 */
export async function issueTokens(options: IssueTokensOptions): Promise<OAuth2TokenResponse> {
  const { grant, flow, runtime, client } = options
  const { config } = runtime
  const store = config.store
  const now = config.now()
  const iat = Math.floor(now / 1000)
  const exp = iat + flow.tokenTtl
  const scope = grant.scope.join(' ')
  const entry: AccessTokenEntry = { grantId: grant.grantId, clientId: grant.clientId, sub: grant.sub, scope, format: 'opaque', iat, exp }

  let accessToken: string
  if (flow.jwtAccessTokens) {
    const jti = randomToken(16)
    ;({ token: accessToken } = await createJwtAccessToken(
      {
        ...grant.claims,
        jti,
        ...(grant.sub !== undefined ? { sub: grant.sub } : {}),
        ...(grant.authTime !== undefined ? { auth_time: grant.authTime } : {}),
        ...(grant.acr !== undefined ? { acr: grant.acr } : {}),
        ...(grant.amr !== undefined ? { amr: grant.amr } : {}),
      },
      {
        keys: runtime.keys,
        alg: config.accessTokenAlgorithm,
        issuer: config.issuer,
        audience: config.accessTokenAudience ?? config.issuer,
        ttl: flow.tokenTtl,
        now,
        clientId: grant.clientId,
        scope: scope === '' ? undefined : scope,
      },
    ))
    await store.set('access_token', await sha256(jti), { ...entry, format: 'jwt' }, exp * 1000)
  } else {
    accessToken = randomToken(32)
    await store.set('access_token', await sha256(accessToken), entry, exp * 1000)
  }

  const response = new OAuth2TokenResponse({ access_token: accessToken, token_type: flow.tokenType.prefix })
    .setExpiresIn(flow.tokenTtl)
    .setScope(grant.scope)

  if (options.refreshToken) {
    const refreshToken = randomToken(32)
    const familyCreatedAt = options.familyCreatedAt ?? now
    const { nonce: _nonce, ...rest } = grant
    const refreshEntry: RefreshTokenEntry = { ...rest, familyCreatedAt, issuedAt: now }
    const expiresAt = Math.min(now + flow.refreshTokenIdleTtl * 1000, familyCreatedAt + flow.refreshTokenAbsoluteTtl * 1000)
    await store.set('refresh_token', await sha256(refreshToken), refreshEntry, expiresAt)
    response.setRefreshToken(refreshToken)
  }

  if ((flow.oidc || 'openid' in flow.scopes) && grant.scope.includes('openid') && grant.sub !== undefined) {
    const { token } = await createIdToken(
      {
        sub: grant.sub,
        ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
        ...(grant.authTime !== undefined ? { auth_time: grant.authTime } : {}),
        ...(grant.acr !== undefined ? { acr: grant.acr } : {}),
        ...(grant.amr !== undefined ? { amr: grant.amr } : {}),
      },
      { accessToken },
      { keys: runtime.keys, alg: idTokenAlgorithm(client?.id_token_signed_response_alg), issuer: config.issuer, clientId: grant.clientId, ttl: flow.idTokenTtl, now },
    )
    response.setIdToken(token)
  }
  return response
}

/** OpenID Connect Dynamic Registration §2: `id_token_signed_response_alg` defaults to RS256. */
export function idTokenAlgorithm(registered: string | undefined): SigningAlgorithm {
  if (registered === undefined) return 'RS256'
  if ((SIGNING_ALGORITHMS as readonly string[]).includes(registered)) return registered as SigningAlgorithm
  throw new Error(`The client registered id_token_signed_response_alg ${registered}, which this provider does not sign with.`)
}
