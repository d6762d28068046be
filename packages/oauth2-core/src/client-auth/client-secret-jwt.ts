import { OAuth2Error } from '../errors/oauth2-error.js'
import type { AuthenticatedClient, ClientAuthContext, ClientAuthMethod } from './client-auth-method.js'
import { assertionAlgorithms, verifyClientAssertion } from './client-assertion.js'
import type { PresentedCredentials } from './presented-credentials.js'
import { refuseExpiredSecret, registeredSecret } from './shared-secret.js'

/** Looks up the shared secret of a client that uses `client_secret_jwt`. */
export type GetClientSecret = (clientId: string) => Promise<string | undefined | null> | string | undefined | null

/** RFC 7518 §3.2: an HMAC key at least as long as the hash output. */
const MIN_SECRET_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 }
const encoder = new TextEncoder()

/**
 * `client_secret_jwt`: a JWT assertion MACed with the client's secret (RFC 7523 §2.2, OpenID Connect
 * Core §9). The secret comes from the client lookup, or from {@link ClientSecretJwt.getClientSecret}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export class ClientSecretJwt implements ClientAuthMethod {
  readonly name = 'client_secret_jwt' as const
  #algorithms: string[] = ['HS256', 'HS384', 'HS512']
  #explicitAlgorithms = false
  #getSecret: GetClientSecret | undefined

  /** The accepted algorithms, for discovery. */
  get signingAlgorithms(): readonly string[] {
    return this.#algorithms
  }

  /** Supplies the secret when the provider has no client lookup. */
  getClientSecret(fn: GetClientSecret): this {
    this.#getSecret = fn
    return this
  }

  /** Accepts one more algorithm; the first call replaces the defaults (HS256, HS384, HS512). */
  addAlgorithm(alg: 'HS256' | 'HS384' | 'HS512'): this {
    if (!this.#explicitAlgorithms) this.#algorithms = []
    this.#explicitAlgorithms = true
    if (!this.#algorithms.includes(alg)) this.#algorithms.push(alg)
    return this
  }

  configurationError(hasClientLookup: boolean): string | undefined {
    return hasClientLookup || this.#getSecret
      ? undefined
      : 'ClientSecretJwt needs a client lookup (findClient) or getClientSecret(fn) to find client secrets.'
  }

  async authenticate(credentials: PresentedCredentials, context: ClientAuthContext): Promise<AuthenticatedClient> {
    const { clientId, assertion, alg } = credentials as { clientId: string; assertion: string; alg: string }
    const secret = context.client !== undefined ? registeredSecret(context.client) : await this.#getSecret?.(clientId)
    if (typeof secret !== 'string' || secret === '') {
      throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'no secret for client_secret_jwt' })
    }
    const key = encoder.encode(secret)
    if (key.byteLength < (MIN_SECRET_BYTES[alg] ?? Infinity)) {
      // The registration is at fault, not the request: said in the private detail only (no oracle).
      throw new OAuth2Error('invalid_client', 'Client authentication failed.', {
        detail: `the client secret is too short for ${MIN_SECRET_BYTES[alg] ? alg : 'this algorithm'}`,
      })
    }
    await verifyClientAssertion(assertion, key, clientId, assertionAlgorithms(this.#algorithms, context.client), context)
    // After the assertion proved the secret: only its holder learns that it expired.
    if (context.client !== undefined) refuseExpiredSecret(context.client, context.now)
    return { clientId, method: this.name, clientSecret: undefined, client: context.client, verified: true }
  }
}
