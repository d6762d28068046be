import type { JWK } from 'jose'

/** The JWS algorithms the provider signs with. RS256 is what OpenID Connect and RFC 9068 require everyone to support. */
export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

/** The signing algorithms, in the order they are offered. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

/** A signing key as a {@link KeyStore} keeps it. */
export interface StoredSigningKey {
  /** Key ID: the RFC 7638 thumbprint of the public key. */
  kid: string
  alg: SigningAlgorithm
  privateJwk: JWK
  publicJwk: JWK
  /** When the key was generated (epoch ms). It is published in the JWKS from then on. */
  createdAt: number
  /** When the key starts signing (epoch ms); later than `createdAt` when it was pre-published. */
  activatesAt: number
}

/**
 * Where signing keys live. The in-memory default loses them on restart (every token signed before is
 * then unverifiable); give several instances one shared store so they sign with and publish the same keys.
 */
export interface KeyStore {
  /** Every stored key. */
  list(): Promise<StoredSigningKey[]>
  /** Adds or replaces a key. */
  put(key: StoredSigningKey): Promise<void>
  /** Removes a key. */
  delete(kid: string): Promise<void>
}

/** The default {@link KeyStore}: a map in this process. For development and single-instance servers. */
export class InMemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, StoredSigningKey>()

  list(): Promise<StoredSigningKey[]> {
    return Promise.resolve([...this.#keys.values()])
  }

  put(key: StoredSigningKey): Promise<void> {
    this.#keys.set(key.kid, key)
    return Promise.resolve()
  }

  delete(kid: string): Promise<void> {
    this.#keys.delete(kid)
    return Promise.resolve()
  }
}

/** Creates an {@link InMemoryKeyStore} (kaapi's factory name). */
export function createInMemoryKeyStore(): InMemoryKeyStore {
  return new InMemoryKeyStore()
}
