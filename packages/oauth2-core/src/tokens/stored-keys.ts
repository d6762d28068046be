import { base64url, type JWK } from 'jose'
import { SIGNING_ALGORITHMS, type SigningAlgorithm, type StoredSigningKey } from './key-store.js'

/** A key store entry that can take part in a key chain. */
export interface CheckedKey extends StoredSigningKey {
  /**
   * Whether it may be published and verify tokens: false for an RSA key under 2048 bits, which stays
   * in its chain (so it never signs and the reason reaches `onError`) but is never published.
   */
  publishable: boolean
}

/** The key type (and curve) each algorithm needs, with its required public members (RFC 7518 §6, RFC 8037 §2). */
const SHAPES: Readonly<Record<SigningAlgorithm, { kty: string; crv?: string; members: readonly (keyof JWK)[] }>> = {
  RS256: { kty: 'RSA', members: ['n', 'e'] },
  ES256: { kty: 'EC', crv: 'P-256', members: ['x', 'y'] },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', members: ['x'] },
}

/** RFC 7518 §3.3: an RSA key for RS256 has at least 2048 bits. */
const MIN_RSA_BITS = 2048

/**
 * What a key store's `list()` returned, reduced to the entries that are signing keys of a supported
 * algorithm with a public key of the right type, one per `kid` (RFC 7517 §4.5: a `kid` names one key).
 * Anything else (null, an HMAC key, a wrong `kty`, missing times) is skipped, never thrown at.
 */
export function checkStoredKeys(entries: unknown): CheckedKey[] {
  if (!Array.isArray(entries)) return []
  const byKid = new Map<string, CheckedKey>()
  for (const entry of entries as unknown[]) {
    const key = checkStoredKey(entry)
    if (key === undefined) continue
    const seen = byKid.get(key.kid)
    // Our own rewrites of a key (rotateKeys()) only ever move `activatesAt` earlier, so of two
    // copies (a store that appends) the earlier activation is the newer write, whatever the order.
    if (seen === undefined || key.activatesAt < seen.activatesAt) byKid.set(key.kid, key)
  }
  return [...byKid.values()]
}

function checkStoredKey(entry: unknown): CheckedKey | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined
  const { kid, alg, privateJwk, publicJwk, createdAt, activatesAt } = entry as Partial<Record<keyof StoredSigningKey, unknown>>
  if (typeof kid !== 'string' || kid === '') return undefined
  if (!SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm)) return undefined
  if (!Number.isFinite(createdAt) || !Number.isFinite(activatesAt)) return undefined
  if (typeof privateJwk !== 'object' || privateJwk === null || typeof publicJwk !== 'object' || publicJwk === null) return undefined
  const shape = SHAPES[alg as SigningAlgorithm]
  const jwk = publicJwk as JWK
  if (jwk.kty !== shape.kty || (shape.crv !== undefined && jwk.crv !== shape.crv)) return undefined
  if (!shape.members.every((name) => typeof jwk[name] === 'string' && jwk[name] !== '')) return undefined
  const key = { kid, alg: alg as SigningAlgorithm, privateJwk: privateJwk as JWK, publicJwk: jwk, createdAt: createdAt as number, activatesAt: activatesAt as number }
  return { ...key, publishable: shape.kty !== 'RSA' || rsaBits(jwk.n!) >= MIN_RSA_BITS }
}

/** The size of an RSA modulus in bits (RFC 7518 §6.3.1.1: big-endian, base64url); 0 when it does not decode. */
function rsaBits(n: string): number {
  let bytes: Uint8Array
  try {
    bytes = base64url.decode(n)
  } catch {
    return 0
  }
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  if (i === bytes.length) return 0
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}
