import type { JWTPayload } from 'jose'
import type { ClientAuthMethodName, ClientMetadata } from '../client-auth/client-metadata.js'
import type { OAuth2ErrorCode } from '../errors/codes.js'
import type { AuthorizationCodeData } from './authorization-code.js'
import type { DeviceAuthorizationData } from './device-code.js'
import type { CodeChallengeMethod } from '../internal/pkce.js'
import type { IdTokenClaims, IdTokenOptions } from '../tokens/id-token.js'
import type { IssueTokensInput } from '../tokens/issue-tokens.js'
import type { JwtAccessTokenClaims, SignedToken } from '../tokens/jwt-access-token.js'
import type { OAuth2TokenResponse, OAuth2TokenResponseBody } from '../tokens/token-response.js'
import type { VerifyJwtOptions } from '../tokens/verify-jwt.js'
import type { OAuth2Request } from '../types.js'

/** Helpers injected into every token handler. */
export interface TokenHelpers {
  /**
   * Signs an RFC 9068 access token (`typ: at+jwt`) with `iss`, `aud`, `exp` (from the TTL), `iat`,
   * `jti`, `sub` (the client unless given), `client_id` and `scope` (the request's unless given).
   * Present when JWT access tokens are enabled (`useAccessTokenJwks(true)`, a JWKS route, or an OIDC builder).
   */
  createJwtAccessToken?: (claims?: JwtAccessTokenClaims) => Promise<SignedToken>
  /**
   * Signs an OpenID Connect ID token for this client (`iss`, `aud`, `exp`, `iat`; `at_hash` when
   * `options.accessToken` is given). Present on OIDC builders, or when the scopes include `openid`.
   */
  createIdToken?: (claims: IdTokenClaims, options?: IdTokenOptions) => Promise<SignedToken>
  /** Verifies a JWT this provider signed (signature, `iss`, `exp`); `null` when invalid. */
  verifyJwt: <T extends object = JWTPayload>(token: string, options?: VerifyJwtOptions) => Promise<(T & JWTPayload) | null>
  /**
   * Issues tokens the core's way for a grant your handler validated: an access token (JWT when
   * enabled, else opaque) recorded in the store, a rotating refresh token when the flow serves the
   * core's refresh grant (see `docs/refresh-token.md`), and an ID token when `openid` is granted.
   * They are revocable (RFC 7009) and introspectable (RFC 7662).
   *
   * @example
   * ```ts
   * .tokenRoute(route => route.generateToken(async ({ code, issueTokens }) => {
   *   const session = await myCodes.redeem(code)
   *   return session ? issueTokens({ sub: session.userId, scope: session.scope }) : { error: 'invalid_grant' }
   * }))
   * ```
   */
  issueTokens: (grant?: IssueTokensInput) => Promise<OAuth2TokenResponse>
}

/** What every token handler receives. */
export interface OAuth2TokenParams extends TokenHelpers {
  /** The `grant_type`. */
  grantType: string
  /** The client, as identified by its authentication. */
  clientId: string
  /** The presented secret (`client_secret_basic` / `client_secret_post`). */
  clientSecret?: string
  /** The client authentication method the request used. */
  clientAuthMethod: ClientAuthMethodName
  /** `true` when the core verified the client (a client lookup is configured); otherwise the handler must. */
  clientAuthenticated: boolean
  /** The registered client, when a client lookup is configured. */
  client?: ClientMetadata
  /** Access-token lifetime in seconds (`setTokenTtl`; 3600 when unset). */
  ttl: number
  /** The token type prefix, e.g. `'Bearer'`. */
  tokenType: string
  /** The configured issuer. */
  issuer: string
  /** The requested `scope`, as sent. */
  scope?: string
  /** The requested scope tokens. */
  scopes: string[]
}

/** Context of the `authorization_code` grant (RFC 6749 §4.1.3). */
export interface OAuth2ACTokenParams extends OAuth2TokenParams {
  grantType: 'authorization_code'
  code: string
  codeVerifier?: string
  redirectUri?: string
  /** Checks a PKCE verifier against a stored challenge in constant time (RFC 7636 §4.6); synchronous, as kaapi's. */
  verifyCodeVerifier: (verifier: string, challenge: string, method?: CodeChallengeMethod) => boolean
  /**
   * The redeemed code's data, when the core's authorization endpoint issued the code (no
   * `generateCode`): already checked for single use, client, `redirect_uri` and PKCE.
   */
  authorization?: AuthorizationCodeData
}

/** Context of the `client_credentials` grant (RFC 6749 §4.4.2). */
export interface OAuth2ClientCredentialsTokenParams extends OAuth2TokenParams {
  grantType: 'client_credentials'
}

/** Context of the `refresh_token` grant (RFC 6749 §6). */
export interface OAuth2RefreshTokenParams extends OAuth2TokenParams {
  grantType: 'refresh_token'
  refreshToken: string
}

/** Context of the device code grant (RFC 8628 §3.4). */
export interface OAuth2DeviceAuthTokenParams extends OAuth2TokenParams {
  grantType: 'urn:ietf:params:oauth:grant-type:device_code'
  deviceCode: string
  /**
   * The approved device authorization, when the core issued the device code (no `generateCode`):
   * already checked (client, expiry, polling interval, approval) and consumed, so the handler only
   * runs once per approval.
   */
  deviceAuthorization?: DeviceAuthorizationData
}

/** An error a handler returns (RFC 6749 §5.2). */
export interface OAuth2ErrorBody {
  error: OAuth2ErrorCode | (string & {})
  error_description?: string
  error_uri?: string
}

/** What a token handler may return: a token response, an error, or `null` (a generic `invalid_request`). */
export type TokenHandlerResult = OAuth2TokenResponse | OAuth2TokenResponseBody | OAuth2ErrorBody | null | undefined

/** A token handler: `generateToken(context, request)`. */
export type GenerateToken<TContext extends OAuth2TokenParams> = (
  context: TContext,
  request: OAuth2Request,
) => Promise<TokenHandlerResult> | TokenHandlerResult
