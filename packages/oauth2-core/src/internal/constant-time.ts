import { sha256Digest } from './sha256.js'

/**
 * Compares two secrets in time that depends on neither their content nor their length
 * (RFC 6749 §10.3, RFC 9700 §2.7): both sides are hashed first, then the digests XOR-compared.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = sha256Digest(a)
  const y = sha256Digest(b)
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!
  return diff === 0
}
