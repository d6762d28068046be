import { CompactSign, type CompactJWSHeaderParameters, type JWTPayload } from 'jose'

const encoder = new TextEncoder()

/** The protected header of a token the core signs. */
export interface SignedClaimsHeader extends CompactJWSHeaderParameters {
  alg: string
  kid: string
  typ: string
}

/**
 * Signs a claims set the caller has just built as a compact JWS (RFC 7519 §7.1: the payload is
 * the UTF-8 JSON of the claims), with jose's `CompactSign`.
 *
 * jose's `SignJWT` would first deep-copy the claims with `structuredClone`, so that a caller
 * changing its object later cannot change the token. The core's claims are a fresh object no
 * one else holds, and on Node 20 that copy cost ~10 µs of the main thread per token, and about as
 * much again before the signature's result came back (bench/RESULTS.md). The numeric date
 * check `SignJWT` makes is kept: a non-finite `iat`, `nbf` or `exp` would be written as `null`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-7.1
 */
export function signClaims(claims: JWTPayload, header: SignedClaimsHeader, key: CryptoKey): Promise<string> {
  for (const claim of NUMERIC_DATES) {
    const value = claims[claim]
    // RFC 7519 §2 NumericDate: a JSON number; NaN and the infinities have no JSON form.
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`"${claim}" claim must be a finite number`)
  }
  return new CompactSign(encoder.encode(JSON.stringify(claims))).setProtectedHeader(header).sign(key)
}

const NUMERIC_DATES = ['iat', 'nbf', 'exp'] as const
