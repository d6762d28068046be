const encoder = new TextEncoder()

/**
 * Compares two secrets in time that depends on neither their content nor their length
 * (RFC 6749 §10.3, RFC 9700 §2.7): both sides are hashed first, then the digests XOR-compared.
 */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ])
  const x = new Uint8Array(da)
  const y = new Uint8Array(db)
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!
  return diff === 0
}
