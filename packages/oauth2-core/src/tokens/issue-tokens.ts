import type { SecurityEvent } from '../security-events.js'
import type { AuthenticatedClient } from '../client-auth/client-auth-method.js'
import type { ClientAuthMethodName, ClientMetadata } from '../client-auth/client-metadata.js'
import type { FlowConfig, ProviderConfig } from '../config.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { ignoreRejection, reportError } from '../errors/report-error.js'
import { GrantType } from '../grants/grant-types.js'
import { sha256 } from '../internal/hash.js'
import { randomToken } from '../internal/random.js'
import { detach } from '../internal/retention.js'
import { joinScope } from '../schemas/common.js'
import { createIdToken, type IdTokenClaims } from './id-token.js'
import { signJwtAccessToken, type JwtAccessTokenClaims, type SignedToken } from './jwt-access-token.js'
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './key-store.js'
import { OAuth2TokenResponse, type OAuth2TokenResponseBody } from './token-response.js'

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
  /** The `token_type` it was issued with (RFC 6749 §7.1), e.g. `Bearer`. */
  tokenType?: string
  /** The audience it was issued for (RFC 9068 §3 `aud`); for introspection of opaque tokens. */
  aud?: string | string[]
}

/** What is stored for every refresh token the core issues (kind `refresh_token`, id = SHA-256 of the token). */
export interface RefreshTokenEntry extends Omit<GrantRecord, 'nonce'> {
  [field: string]: unknown
  /** When the family began (epoch ms): the absolute lifetime counts from here. */
  familyCreatedAt: number
  /** When this token was issued (epoch ms). */
  issuedAt: number
  /** When this token expires unused (epoch ms): the earlier of the idle and the absolute limit. */
  expiresAt?: number
  /** The name of the flow that issued it: with several flows, that flow's settings apply to it. */
  flow?: string
  /** How the client authenticated when the family began; a family of a confidential client is never redeemed with `none`. */
  clientAuthMethod?: ClientAuthMethodName
  /** Set by the store when the token is consumed (epoch ms). */
  consumedAt?: number
  /** Rotation (RFC 9700 §4.14.2): when it was exchanged (epoch ms), for the grace window. */
  rotatedAt?: number
  /** Rotation: the id of the refresh token that replaced it. */
  successorId?: string
  /** Rotation: the id of the access token issued with the successor. */
  successorAccessTokenId?: string
  /** The one grace-window retry was spent on it. */
  retried?: boolean
  /** It was a successor, invalidated by a grace-window retry of its predecessor; any use is a reuse. */
  superseded?: boolean
}

/** Options of {@link issueTokens}. */
export interface IssueTokensOptions {
  /**
   * The grant the tokens belong to. Without `grantId`, a grant created by this issuance
   * (client_credentials, a handler's `issueTokens`): no other request knows it, so none can have
   * revoked it, and the revocation check after writing is skipped. Such a grant of one access token
   * and nothing else is that token, and takes its store id as its id: a store finds the entry by its
   * id, with no grant index (`MemoryStore` keeps none for it). With a refresh token, it gets a
   * random id its tokens share.
   */
  grant: GrantRecord | NewGrant
  flow: FlowConfig
  runtime: ProviderRuntime
  client: ClientMetadata | undefined
  /**
   * Issue a refresh token too. Decide with {@link shouldIssueRefreshToken}: the flow serves the
   * core's `refresh_token` grant, the client may use it, and OIDC's `offline_access` rule holds.
   */
  refreshToken: boolean
  /** For a rotation: when the family began (epoch ms); a new family otherwise. */
  familyCreatedAt?: number
  /**
   * The access token's scope when narrower than the grant's (RFC 6749 §6: a refresh may ask for
   * less). The refresh token always keeps the grant's scope. Default: `grant.scope`.
   */
  accessTokenScope?: readonly string[]
  /** How the client authenticated (recorded on the refresh token: see {@link RefreshTokenEntry.clientAuthMethod}). */
  clientAuthMethod?: ClientAuthMethodName
  /**
   * Runs once the new tokens are recorded, before the revocation check and before the response is
   * complete (a JWT may still be being signed): a rotation records its successor here, so that the
   * check covers that write too.
   */
  onRecorded?: (ids: { accessTokenId: string; refreshTokenId: string | undefined }) => Promise<void>
}

/** A grant an issuance creates: its id is chosen when its tokens are (see {@link IssueTokensOptions.grant}). */
export type NewGrant = Omit<GrantRecord, 'grantId'> & { grantId?: undefined }

/** The tokens of one {@link issueTokenSet} call, with the store ids under which they were recorded. */
export interface IssuedTokenSet {
  /** The RFC 6749 §5.1 response body (a plain object: the default handlers answer it as it is). */
  body: OAuth2TokenResponseBody
  /** Store id (kind `access_token`) of the access token. */
  accessTokenId: string
  /** Store id (kind `refresh_token`) of the refresh token, when one was issued. */
  refreshTokenId: string | undefined
}

/**
 * The core's default token issuance, used where a route has no `generateToken`: an access token
 * (RFC 9068 JWT when the flow signs them, else opaque), a refresh token, and an ID token when
 * `openid` was granted. Every token is recorded in the store under a hash, with its grant id, so
 * revoking the grant revokes them all; a grant revoked meanwhile yields `invalid_grant`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 */
export function issueTokens(options: IssueTokensOptions): Promise<OAuth2TokenResponse> {
  return issueTokenSet(options).then(responseOf)
}

const responseOf = (issued: IssuedTokenSet): OAuth2TokenResponse => new OAuth2TokenResponse(issued.body)

/**
 * {@link issueTokens}, also returning the store ids of the tokens (refresh-token rotation records
 * them on the token it replaced).
 */
export async function issueTokenSet(options: IssueTokensOptions): Promise<IssuedTokenSet> {
  const { grant, flow, runtime, client } = options
  const { config } = runtime
  const store = config.store
  const now = config.now()
  const iat = Math.floor(now / 1000)
  const exp = iat + flow.tokenTtl
  // Entries and claims below are object literals filled member by member, not spreads: this is
  // the hot path of every grant, and spreads cost a few µs each here (bench/RESULTS.md).
  const accessScope: readonly string[] = options.accessTokenScope ?? grant.scope
  const scope = joinScope(accessScope)
  const audience = config.accessTokenAudience ?? config.issuer
  const jwt = flow.jwtAccessTokens
  const grantIsNew = grant.grantId === undefined
  // Resolved before anything is written: a client registered for an algorithm this provider does
  // not sign with is refused with nothing half-issued (no tokens in the store it never receives).
  const idTokenAlg = issuesIdToken(flow, accessScope) && grant.sub !== undefined ? clientIdTokenAlgorithm(client) : undefined
  // A new grant with a refresh token: a random id; of one access token: that token's id (below).
  let grantId = grant.grantId ?? (options.refreshToken ? randomToken(16) : undefined)

  // A JWT is signed on the thread pool (WebCrypto): the store work below runs meanwhile, and the
  // signature is awaited last. Its failure is handled there (the no-op handler only keeps an early
  // rejection from counting as unhandled while the entries are written).
  let accessToken: string | Promise<SignedToken>
  let accessTokenId: string
  if (jwt) {
    const claims: JwtAccessTokenClaims = grant.claims !== undefined ? { ...grant.claims } : {}
    const jti = randomToken(16)
    claims.jti = jti
    if (grant.sub !== undefined) claims.sub = grant.sub
    if (grant.authTime !== undefined) claims.auth_time = grant.authTime
    if (grant.acr !== undefined) claims.acr = grant.acr
    if (grant.amr !== undefined) claims.amr = grant.amr
    accessToken = signJwtAccessToken(claims, {
      keys: runtime.keys,
      alg: config.accessTokenAlgorithm,
      issuer: config.issuer,
      audience,
      ttl: flow.tokenTtl,
      now,
      clientId: grant.clientId,
      scope: scope === '' ? undefined : scope,
    })
    accessToken.catch(() => {})
    accessTokenId = sha256(jti)
  } else {
    accessToken = randomToken(32)
    accessTokenId = sha256(accessToken)
  }
  grantId ??= accessTokenId
  const entry: AccessTokenEntry = {
    grantId,
    clientId: grant.clientId,
    sub: grant.sub,
    scope,
    format: jwt ? 'jwt' : 'opaque',
    iat,
    exp,
    tokenType: flow.tokenType.prefix,
    aud: audience,
  }
  await store.set('access_token', accessTokenId, entry, exp * 1000)

  let refreshToken: string | undefined
  let refreshTokenId: string | undefined
  if (options.refreshToken) {
    // RFC 9700 §4.14.2 / RFC 6749 §10.10: opaque, 256 bits of entropy, stored only as a hash.
    refreshToken = randomToken(32)
    const familyCreatedAt = options.familyCreatedAt ?? now
    const expiresAt = Math.min(now + flow.refreshTokenIdleTtl * 1000, familyCreatedAt + flow.refreshTokenAbsoluteTtl * 1000)
    // The grant without its nonce (an ID token's, never replayed into a refreshed one).
    const refreshEntry: RefreshTokenEntry = {
      grantId,
      clientId: grant.clientId,
      sub: grant.sub,
      scope: grant.scope,
      familyCreatedAt,
      issuedAt: now,
      expiresAt,
      flow: flow.name,
    }
    if (grant.authTime !== undefined) refreshEntry.authTime = grant.authTime
    if (grant.acr !== undefined) refreshEntry.acr = grant.acr
    if (grant.amr !== undefined) refreshEntry.amr = grant.amr
    if (grant.claims !== undefined) refreshEntry.claims = grant.claims
    if (options.clientAuthMethod !== undefined) refreshEntry.clientAuthMethod = options.clientAuthMethod
    refreshTokenId = sha256(refreshToken)
    await store.set('refresh_token', refreshTokenId, refreshEntry, expiresAt)
  }
  if (options.onRecorded !== undefined) await options.onRecorded({ accessTokenId, refreshTokenId })

  // A concurrent request may have revoked the grant while these tokens were being written.
  if (!grantIsNew) await refuseIfRevoked(runtime, grantId)

  const token = typeof accessToken === 'string' ? accessToken : (await accessToken).token
  // RFC 6749 §5.1, member by member from an empty literal (room for four members in the object).
  const body = {} as OAuth2TokenResponseBody
  body.access_token = token
  body.token_type = flow.tokenType.prefix
  body.expires_in = flow.tokenTtl
  if (scope !== '') body.scope = scope
  if (refreshToken !== undefined) body.refresh_token = refreshToken

  if (idTokenAlg !== undefined && grant.sub !== undefined) {
    const idClaims: IdTokenClaims = { sub: grant.sub }
    if (grant.nonce !== undefined) idClaims.nonce = grant.nonce
    if (grant.authTime !== undefined) idClaims.auth_time = grant.authTime
    if (grant.acr !== undefined) idClaims.acr = grant.acr
    if (grant.amr !== undefined) idClaims.amr = grant.amr
    // OpenID Connect Core §3.3.2.11: at_hash is computed from the access token, so this signs second.
    const idToken = await createIdToken(
      idClaims,
      { accessToken: token },
      { keys: runtime.keys, alg: idTokenAlg, issuer: config.issuer, clientId: grant.clientId, ttl: flow.idTokenTtl, now },
    )
    body.id_token = idToken.token
  }
  return { body, accessTokenId, refreshTokenId }
}

/**
 * Whether the core issues a refresh token with the tokens of a grant. All of:
 * - the flow serves the core's own `refresh_token` grant (a `refreshTokenRoute` with a
 *   `generateToken` would not understand the core's tokens);
 * - the client can be authenticated by the core (a verified client, or a public one), and a
 *   registered client lists `refresh_token` in its `grant_types` (RFC 7591 §2);
 * - when `openid` is granted, `offline_access` is granted too (OpenID Connect Core §11); plain
 *   OAuth 2.0 grants (no `openid`) always get one.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-1.5
 */
export function shouldIssueRefreshToken(flow: FlowConfig, client: Pick<AuthenticatedClient, 'client' | 'method' | 'verified'>, scope: readonly string[]): boolean {
  const served = flow.grants.some((g) => g.grant.grantType === GrantType.REFRESH_TOKEN && g.generateToken === undefined)
  if (!served) return false
  if (!client.verified && client.method !== 'none') return false
  if (client.client !== undefined && !(client.client.grant_types ?? ['authorization_code']).includes(GrantType.REFRESH_TOKEN)) return false
  if (scope.includes('openid') && !scope.includes('offline_access')) return false
  return true
}

/**
 * Revokes a grant: every refresh and access token issued under it (RFC 7009 §2.1, RFC 9700
 * §4.14.2). First leaves a `revoked_grant` marker for as long as any access token of the provider
 * can live, so that tokens being issued concurrently are refused too (see {@link issueTokenSet})
 * and self-contained JWT access tokens are reported inactive; then removes the grant's entries.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export async function revokeGrant(runtime: ProviderRuntime, grantId: string, event?: Omit<SecurityEvent, 'at' | 'grantId'>): Promise<void> {
  const { store } = runtime.config
  const now = runtime.config.now()
  if (event !== undefined) reportSecurityEvent(runtime, { ...event, grantId, at: now } as SecurityEvent)
  // The marker must not carry `grantId`: store.revokeGrant() would delete it with the rest.
  await store.set('revoked_grant', grantId, { revokedAt: now }, now + longestAccessTokenTtl(runtime.config) * 1000)
  await store.revokeGrant(grantId)
}

/** Whether a grant was revoked recently enough that its tokens may still circulate. */
export async function isGrantRevoked(runtime: ProviderRuntime, grantId: string): Promise<boolean> {
  return (await runtime.config.store.get('revoked_grant', grantId)) !== undefined
}

/**
 * After writing entries of a grant (tokens, or a code or device code put back): a concurrent
 * request may have revoked the grant meanwhile (refresh-token reuse, code replay). revokeGrant()
 * leaves its marker before it deletes, so this check after the write cannot miss it: either it
 * deleted what was written, or the marker is seen here and the grant's entries are removed again.
 * `true` when the grant is revoked.
 */
export async function sweepIfRevoked(runtime: ProviderRuntime, grantId: string): Promise<boolean> {
  if (!(await isGrantRevoked(runtime, grantId))) return false
  await runtime.config.store.revokeGrant(grantId)
  return true
}

/** {@link sweepIfRevoked} for a request that wrote tokens: it is answered `invalid_grant`, and delivers none. */
export async function refuseIfRevoked(runtime: ProviderRuntime, grantId: string): Promise<void> {
  if (await sweepIfRevoked(runtime, grantId)) throw new OAuth2Error('invalid_grant', 'The authorization grant has been revoked.')
}

/** The longest access-token lifetime among the flows, in seconds, plus a minute for requests in flight. */
function longestAccessTokenTtl(config: ProviderConfig): number {
  return Math.max(0, ...config.flows.map((flow) => flow.tokenTtl)) + 60
}

/** Whether the core's issuance adds an ID token: an OpenID flow and `openid` granted (OpenID Connect Core §3.1.3.3). */
export function issuesIdToken(flow: FlowConfig, scope: readonly string[]): boolean {
  return (flow.oidc || 'openid' in flow.scopes) && scope.includes('openid')
}

/** OpenID Connect Dynamic Registration §2: `id_token_signed_response_alg` defaults to RS256. */
export function idTokenAlgorithm(registered: string | undefined): SigningAlgorithm {
  if (registered === undefined) return 'RS256'
  if ((SIGNING_ALGORITHMS as readonly string[]).includes(registered)) return registered as SigningAlgorithm
  throw new Error(`The client registered id_token_signed_response_alg ${registered}, which this provider does not sign with.`)
}

/**
 * {@link idTokenAlgorithm} for the core's own issuance, which refuses such a client before it
 * writes or spends anything: `unauthorized_client` (RFC 6749 §5.2), since the client authenticated
 * but, as registered, cannot be served the grant. Not `invalid_client`, whose 401 and challenge
 * would send it to fix credentials that are fine, and not a 500: nothing failed, the registration
 * asks for what this server does not do. The algorithm goes to the private detail only.
 */
export function clientIdTokenAlgorithm(client: ClientMetadata | undefined): SigningAlgorithm {
  try {
    return idTokenAlgorithm(client?.id_token_signed_response_alg)
  } catch (error) {
    throw new OAuth2Error('unauthorized_client', 'The client is registered for ID tokens signed with an algorithm (id_token_signed_response_alg) this authorization server does not sign with.', {
      detail: (error as Error).message,
    })
  }
}

/**
 * What a token handler passes to its `issueTokens` helper: the grant it has validated.
 * `scope` defaults to the request's scope; `refreshToken` to {@link shouldIssueRefreshToken}.
 */
export interface IssueTokensInput {
  /** The resource owner; omit it for a client acting on its own behalf. */
  sub?: string
  /** The granted scope (a space-separated string or tokens); default: the requested scope. */
  scope?: string | readonly string[]
  /** Extra access-token claims (JWT access tokens), kept for the refresh tokens of the grant. */
  claims?: Record<string, unknown>
  /** OIDC: when the user authenticated (epoch seconds). */
  authTime?: number
  acr?: string
  amr?: string[]
  /** OIDC: the authorization request's nonce, for the ID token. */
  nonce?: string
  /**
   * `false`: no refresh token. `true`: one, even for `openid` without `offline_access` (the flow
   * must serve the core's refresh grant). Default: {@link shouldIssueRefreshToken}.
   */
  refreshToken?: boolean
}

/**
 * The `issueTokens` helper of a token handler: a handler that validated a grant its own way (a
 * kaapi-style code check) lets the core issue store-backed tokens, which the core's refresh grant
 * rotates and its revocation and introspection endpoints know. `grantId`: the grant of the core
 * authorization code the request redeemed, which the tokens then join.
 */
export function createIssueTokensHelper(
  flow: FlowConfig,
  runtime: ProviderRuntime,
  client: AuthenticatedClient,
  requestedScopes: readonly string[],
  grantId?: string,
): (input?: IssueTokensInput) => Promise<OAuth2TokenResponse> {
  return async (input = {}) => {
    const scope = input.scope === undefined ? [...requestedScopes] : toScopeTokens(input.scope)
    let refreshToken = input.refreshToken ?? shouldIssueRefreshToken(flow, client, scope)
    if (input.refreshToken === true) {
      if (!flow.grants.some((g) => g.grant.grantType === GrantType.REFRESH_TOKEN && g.generateToken === undefined)) {
        throw new TypeError("issueTokens({ refreshToken: true }): this flow's refresh_token grant is handled by refreshTokenRoute's generateToken, which cannot redeem the core's refresh tokens.")
      }
      refreshToken = true
    }
    const grant: NewGrant = {
      clientId: client.clientId,
      sub: input.sub,
      scope,
      ...(input.authTime !== undefined ? { authTime: input.authTime } : {}),
      ...(input.acr !== undefined ? { acr: input.acr } : {}),
      ...(input.amr !== undefined ? { amr: input.amr } : {}),
      ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
      ...(input.claims !== undefined ? { claims: input.claims } : {}),
    }
    return await issueTokens({
      // The redeemed code's grant (RFC 6749 §4.1.2: a replay of the code revokes these tokens too),
      // else a new grant, whose id is chosen with its tokens.
      grant: grantId !== undefined ? { ...grant, grantId } : grant,
      flow,
      runtime,
      client: client.client,
      refreshToken,
      clientAuthMethod: client.method,
    })
  }
}

/**
 * A scope given by a handler, as tokens; a malformed one is a bug in the handler (RFC 6749 §3.3).
 * Each kept as a copy of its own: a handler's scope is often the request's (`context.scope`), a view
 * on a body that may hold a client secret (internal/retention.ts).
 */
function toScopeTokens(scope: string | readonly string[]): string[] {
  const tokens = typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [...scope]
  for (const token of tokens) {
    if (typeof token !== 'string' || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(token)) {
      throw new TypeError(`issueTokens: ${JSON.stringify(token)} is not a valid scope token (RFC 6749 §3.3).`)
    }
  }
  return [...new Set(tokens)].map(detach)
}

/** Hands a security event to `onSecurityEvent`; a throwing (or rejecting) hook is reported to `onError`, never to the client. */
function reportSecurityEvent(runtime: ProviderRuntime, event: SecurityEvent): void {
  const { onSecurityEvent, onError, issuer } = runtime.config
  const report = (error: unknown) => reportError(onError, error, { method: 'POST', url: issuer, headers: {} })
  try {
    ignoreRejection(onSecurityEvent?.(event), report)
  } catch (error) {
    report(error)
  }
}
