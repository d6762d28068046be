import { decodeJwt } from 'jose'
import { verifyJwt } from '../../tokens/verify-jwt.js'
import type { ProviderRuntime } from '../endpoint.js'

/**
 * Verifies an `id_token_hint` (OIDC Core §3.1.2.1): an ID token this provider signed (a published
 * key, `typ: JWT`, `iss`), issued to this client (`aud`), with a `sub`. Resolves to that `sub`, or
 * `undefined` when the hint is anything else.
 *
 * An expired ID token is still a hint ("the ID Token ... MAY be expired"): it is checked as of a
 * moment before its `exp`; everything else about it must hold. One signed with a key no longer
 * published cannot be verified, and is refused like a forged one.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export async function verifyIdTokenHint(hint: string, clientId: string, runtime: ProviderRuntime): Promise<string | undefined> {
  let exp: unknown
  try {
    // Read unverified only to pick the moment to verify at; verifyJwt checks the signature.
    exp = decodeJwt(hint).exp
  } catch {
    return undefined
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined
  const { config } = runtime
  const now = Math.min(config.now(), (exp - 1) * 1000)
  // RFC 8725 §3.11: typ JWT keeps access tokens (at+jwt) and login tickets from passing as ID tokens.
  const payload = await verifyJwt(hint, { typ: 'JWT', audience: clientId }, { keys: runtime.keys, issuer: config.issuer, now })
  const sub = payload?.sub
  return typeof sub === 'string' && sub !== '' ? sub : undefined
}
