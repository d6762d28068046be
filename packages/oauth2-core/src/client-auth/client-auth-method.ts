import type { ReplayStore } from '../stores/replay-store.js'
import type { ClientAuthMethodName, ClientMetadata } from './client-metadata.js'
import type { PresentedCredentials } from './presented-credentials.js'

/** What a client authentication strategy may use. */
export interface ClientAuthContext {
  /** The registered client, when the provider has a client lookup. */
  client: ClientMetadata | undefined
  /** Values the assertion's `aud` may name: the token endpoint URL and the issuer (RFC 7523 §3). */
  audiences: string[]
  /** Current time in epoch milliseconds. */
  now: number
  /** Where assertion `jti`s are remembered. */
  replay: ReplayStore
  /** Longest accepted client-assertion lifetime, in seconds from now. */
  maxAssertionLifetime: number
}

/** The client of a request, after authentication. */
export interface AuthenticatedClient {
  clientId: string
  /** The method the client used. */
  method: ClientAuthMethodName
  /** The presented secret (`client_secret_basic` / `client_secret_post`), passed to handlers as in kaapi. */
  clientSecret: string | undefined
  /** The registered client, when the provider has a client lookup. */
  client: ClientMetadata | undefined
  /** `true` when the core verified the credentials; `false` when the handler must (no client lookup). */
  verified: boolean
}

/**
 * One client authentication method (one IANA `token_endpoint_auth_method`).
 *
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#token-endpoint-auth-method
 */
export interface ClientAuthMethod {
  /** The IANA method name. */
  readonly name: ClientAuthMethodName
  /** JWS algorithms this method accepts (JWT methods only), for discovery. */
  readonly signingAlgorithms?: readonly string[]
  /** A configuration problem, reported by `build()` (e.g. a JWT method with no way to find keys). */
  configurationError?(hasClientLookup: boolean): string | undefined
  /**
   * Verifies the presented credentials; throws (or rejects with) `OAuth2Error('invalid_client')` when
   * they fail. A method with nothing to wait for (a shared secret) may answer synchronously.
   */
  authenticate(credentials: PresentedCredentials & { method: ClientAuthMethodName }, context: ClientAuthContext): AuthenticatedClient | Promise<AuthenticatedClient>
}
