import { createLocalJWKSet, importJWK, type CryptoKey, type JWK, type JWTVerifyGetKey } from 'jose'
import { OAuth2Error } from '../errors/oauth2-error.js'
import type { AuthenticatedClient, ClientAuthContext, ClientAuthMethod } from './client-auth-method.js'
import { assertionAlgorithms, verifyClientAssertion } from './client-assertion.js'
import type { PresentedCredentials } from './presented-credentials.js'

/** A client's public key(s): a JWK, a JWK Set, or a `CryptoKey`. */
export type ClientPublicKey = JWK | { keys: JWK[] } | CryptoKey
/** Looks up the public key(s) of a client that uses `private_key_jwt`. */
export type GetPublicKeyForClient = (clientId: string) => Promise<ClientPublicKey | undefined | null> | ClientPublicKey | undefined | null

/**
 * `private_key_jwt`: a JWT assertion signed with the client's private key (RFC 7523 §2.2, OpenID
 * Connect Core §9). Public keys come from the client's registered `jwks`, or from
 * {@link PrivateKeyJwt.getPublicKeyForClient}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export class PrivateKeyJwt implements ClientAuthMethod {
  readonly name = 'private_key_jwt' as const
  #algorithms: string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
  #explicitAlgorithms = false
  #getKey: GetPublicKeyForClient | undefined

  /** The accepted algorithms, for discovery. */
  get signingAlgorithms(): readonly string[] {
    return this.#algorithms
  }

  /** Supplies the public key(s) when the provider has no client lookup or the client has no `jwks`. */
  getPublicKeyForClient(fn: GetPublicKeyForClient): this {
    this.#getKey = fn
    return this
  }

  /** Accepts one more algorithm; the first call replaces the defaults (RS, PS, ES, EdDSA). */
  addAlgorithm(alg: string): this {
    if (alg === 'none' || alg.startsWith('HS')) throw new TypeError(`private_key_jwt cannot use ${alg}: it needs an asymmetric algorithm.`)
    if (!this.#explicitAlgorithms) this.#algorithms = []
    this.#explicitAlgorithms = true
    if (!this.#algorithms.includes(alg)) this.#algorithms.push(alg)
    return this
  }

  configurationError(hasClientLookup: boolean): string | undefined {
    return hasClientLookup || this.#getKey
      ? undefined
      : 'PrivateKeyJwt needs a client lookup (findClient) or getPublicKeyForClient(fn) to find client keys.'
  }

  async authenticate(credentials: PresentedCredentials, context: ClientAuthContext): Promise<AuthenticatedClient> {
    const { clientId, assertion, alg } = credentials as { clientId: string; assertion: string; alg: string }
    const source = context.client?.jwks ?? (await this.#getKey?.(clientId))
    if (source === undefined || source === null) {
      throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'no public key registered for private_key_jwt' })
    }
    const key = await toVerificationKey(source, alg)
    await verifyClientAssertion(assertion, key, clientId, assertionAlgorithms(this.#algorithms, context.client), context)
    return { clientId, method: this.name, clientSecret: undefined, client: context.client, verified: true }
  }
}

async function toVerificationKey(source: ClientPublicKey, alg: string): Promise<CryptoKey | Uint8Array | JWTVerifyGetKey> {
  if (isJwks(source)) return createLocalJWKSet(source)
  if (isJwk(source)) {
    if (typeof source.d === 'string' || source.kty === 'oct') {
      throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: 'the registered key is not a public key' })
    }
    try {
      return await importJWK(source, source.alg ?? alg)
    } catch (error) {
      throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: `unusable client key: ${String(error)}` })
    }
  }
  return source
}

function isJwks(value: ClientPublicKey): value is { keys: JWK[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)
}

function isJwk(value: ClientPublicKey): value is JWK {
  return typeof value === 'object' && value !== null && typeof (value as JWK).kty === 'string'
}
