import type { ClientAuthMethod } from './client-auth/client-auth-method.js'
import type { ClientAuthMethodName, FindClient } from './client-auth/client-metadata.js'
import type { Endpoint, ProviderRuntime } from './endpoints/endpoint.js'
import type { IntrospectionEndpointConfig } from './endpoints/introspection.js'
import type { RevocationEndpointConfig } from './endpoints/revocation.js'
import type { GrantDefinition } from './grants/grant-definition.js'
import type { GenerateToken, OAuth2TokenParams } from './grants/token-context.js'
import type { SecurityEventHook } from './security-events.js'
import type { OAuth2Store } from './stores/oauth2-store.js'
import type { ReplayStore } from './stores/replay-store.js'
import type { RequestLimits } from './schemas/limits.js'
import type { KeyRotationOptions } from './tokens/key-manager.js'
import type { KeyStore, SigningAlgorithm } from './tokens/key-store.js'
import type { OAuth2Request } from './types.js'

/** A token type, such as `BearerToken` (kaapi's `TokenType`). */
export interface TokenType {
  /** The `token_type` and the `Authorization` scheme, e.g. `'Bearer'`. */
  readonly prefix: string
}

/** Receives unexpected errors (a throwing callback, a store failure); the client only sees `server_error`. */
export type ErrorHook = (error: unknown, request: OAuth2Request) => void

/** One grant served at a token endpoint path. */
export interface TokenGrantConfig {
  grant: GrantDefinition<never>
  /** Token endpoint path, relative to the issuer's path. */
  path: string
  generateToken: GenerateToken<OAuth2TokenParams> | undefined
}

/**
 * An endpoint a flow serves besides the token endpoint (authorization, device authorization,
 * verification page, userinfo). The provider creates it at `build()`, under the issuer's path;
 * `create` may throw a `TypeError` for a configuration mistake it can only see with the merged
 * provider settings (e.g. no client lookup).
 */
export interface FlowEndpointConfig {
  /** Path relative to the issuer's path, e.g. `/oauth2/authorize`. */
  path: string
  /**
   * Endpoints sharing a `key` are served once per provider, by the first flow that contributes one
   * (the userinfo endpoint of several OpenID Connect flows in a `MultipleFlowsBuilder`).
   */
  key?: string
  create(pathname: string, runtime: ProviderRuntime, flow: FlowConfig): Endpoint
}

/** One flow, as a builder describes it: the engine's input. */
export interface FlowConfig {
  /** kaapi's strategy name. */
  name: string
  description: string | undefined
  oidc: boolean
  grants: TokenGrantConfig[]
  authMethods: ReadonlyMap<ClientAuthMethodName, ClientAuthMethod>
  /** Access-token lifetime, seconds. */
  tokenTtl: number
  /** ID-token lifetime, seconds. */
  idTokenTtl: number
  /** Refresh-token idle lifetime, seconds: a token unused this long expires. */
  refreshTokenIdleTtl: number
  /** Refresh-token absolute lifetime, seconds from the family's first token (RFC 9700 §4.14.2). */
  refreshTokenAbsoluteTtl: number
  /**
   * Seconds after a rotation during which the replaced refresh token may be presented once more
   * (a client retrying after a lost response) without revoking the grant; 0 (the default) disables
   * it. Set by `setRefreshTokenGracePeriod`.
   */
  refreshTokenGracePeriod?: number
  tokenType: TokenType
  /** Declared scopes and their descriptions; empty means "any syntactically valid scope". */
  scopes: Readonly<Record<string, string>>
  jwtAccessTokens: boolean
  /** Endpoints besides the token endpoint (authorization, device authorization, userinfo). */
  endpoints?: readonly FlowEndpointConfig[]
}

/** Everything a provider is made of. Builders produce it; `createOAuth2Provider` consumes it. */
export interface ProviderConfig {
  /** The issuer identifier (RFC 8414 §2): https (or http on loopback), no query, no fragment. */
  issuer: string
  flows: FlowConfig[]
  /** JWKS path relative to the issuer path, or `undefined` for none. */
  jwksPath: string | undefined
  keyStore: KeyStore
  rotation: KeyRotationOptions | undefined
  accessTokenAlgorithm: SigningAlgorithm
  /** `aud` of JWT access tokens; the issuer when unset. */
  accessTokenAudience: string | string[] | undefined
  findClient: FindClient | undefined
  /** What the server remembers (codes, device codes, refresh families, revocations). */
  store: OAuth2Store
  replayStore: ReplayStore
  now: () => number
  onError: ErrorHook | undefined
  /** Receives what reuse detection and similar defences caught. */
  onSecurityEvent: SecurityEventHook | undefined
  /** Longest accepted client-assertion lifetime, seconds. */
  maxAssertionLifetime: number
  /** Body size, parameter length and scope token count limits of every request (`setRequestLimits`). */
  limits: RequestLimits
  /** Extra metadata merged into the discovery documents (kaapi's `additionalConfiguration`). */
  additionalConfiguration?: Readonly<Record<string, unknown>>
  /** The token revocation endpoint (RFC 7009); absent when disabled. */
  revocation?: RevocationEndpointConfig
  /** The token introspection endpoint (RFC 7662); absent when disabled. */
  introspection?: IntrospectionEndpointConfig
}
