import { jwtVerify, type JWTPayload } from 'jose'
import type { KeyManager } from './key-manager.js'
import { SIGNING_ALGORITHMS } from './key-store.js'

/** Options of `verifyJwt`. */
export interface VerifyJwtOptions {
  /** Required `typ` header, e.g. `'at+jwt'` for access tokens (RFC 9068 §4). */
  typ?: string
  /** Required audience. */
  audience?: string | string[]
}

/**
 * Verifies a JWT this provider signed: signature with a published key, `iss` equal to the issuer,
 * `exp` present and not past. Resolves to the payload, or `null` when any check fails.
 */
export async function verifyJwt<T extends JWTPayload = JWTPayload>(
  token: string,
  options: VerifyJwtOptions,
  provider: { keys: KeyManager; issuer: string; now: number },
): Promise<(T & JWTPayload) | null> {
  if (typeof token !== 'string' || token === '') return null
  try {
    const { payload } = await jwtVerify<T>(token, provider.keys.getVerificationKey, {
      issuer: provider.issuer,
      // Any algorithm we sign with: the key resolver only accepts a published key of the header's
      // alg, and an ID token may use a client's registered algorithm, or another instance's.
      algorithms: [...SIGNING_ALGORITHMS],
      currentDate: new Date(provider.now),
      requiredClaims: ['exp'],
      ...(options.typ !== undefined ? { typ: options.typ } : {}),
      ...(options.audience !== undefined ? { audience: options.audience } : {}),
    })
    return payload
  } catch {
    return null
  }
}
