import { errors, jwtVerify, type CryptoKey, type JWTVerifyGetKey, type JWTPayload } from 'jose'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { sha256 } from '../internal/hash.js'
import type { ClientAuthContext } from './client-auth-method.js'
import type { ClientMetadata } from './client-metadata.js'

/** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE = 5

/**
 * Verifies a client assertion JWT (RFC 7523 §3, OpenID Connect Core §9): signature with one of
 * `algorithms`, `iss` = `sub` = client_id, `aud` naming this server, `exp` present and not past,
 * a bounded lifetime, and a `jti` that is used once only.
 */
export async function verifyClientAssertion(
  assertion: string,
  key: CryptoKey | Uint8Array | JWTVerifyGetKey,
  clientId: string,
  algorithms: readonly string[],
  context: ClientAuthContext,
): Promise<JWTPayload> {
  let payload: JWTPayload
  try {
    const options = {
      issuer: clientId,
      subject: clientId,
      audience: context.audiences,
      algorithms: [...algorithms],
      currentDate: new Date(context.now),
      clockTolerance: CLOCK_TOLERANCE,
      requiredClaims: ['exp', 'jti'],
    }
    payload =
      typeof key === 'function'
        ? (await jwtVerify(assertion, key, options)).payload
        : (await jwtVerify(assertion, key, options)).payload
  } catch (error) {
    throw new OAuth2Error('invalid_client', describe(error), { detail: String(error), cause: error })
  }
  // RFC 7519 §4.1.7: jti is a case-sensitive string; jose only checks that it is present.
  if (typeof payload.jti !== 'string' || payload.jti === '') {
    throw new OAuth2Error('invalid_client', 'The client_assertion claim jti is invalid.')
  }
  const nowSeconds = Math.floor(context.now / 1000)
  // RFC 7523 §3 (4): the server may reject a JWT with an unreasonably far expiry.
  if (payload.exp! - nowSeconds > context.maxAssertionLifetime) {
    throw new OAuth2Error('invalid_client', 'The client_assertion expires too far in the future.')
  }
  // RFC 7523 §3 (7): the server may ensure the JWT is not replayed, via jti. Per client, keyed by a
  // hash of its id (no `:` in it), so that client `a` with jti `b:c` and client `a:b` with jti `c`
  // never share a key: one client cannot spend another's jti.
  const fresh = await context.replay.consume(`client_assertion:${sha256(clientId)}:${payload.jti}`, (payload.exp! + CLOCK_TOLERANCE) * 1000)
  if (!fresh) throw new OAuth2Error('invalid_client', 'The client_assertion has already been used.')
  return payload
}

/**
 * The algorithms an assertion of `client` may use: those the method accepts, narrowed to the
 * registered `token_endpoint_auth_signing_alg` (OpenID Connect Dynamic Registration §2). A
 * registration never widens what the server accepts.
 */
export function assertionAlgorithms(accepted: readonly string[], client: ClientMetadata | undefined): readonly string[] {
  const pinned: unknown = client?.token_endpoint_auth_signing_alg
  // A stored registration may hold null or '' for "not set".
  return typeof pinned !== 'string' || pinned === '' ? accepted : accepted.filter((alg) => alg === pinned)
}

/**
 * What the client reads. jose checks the claims only after the signature: a claim's fault is told
 * to whoever holds the client's key. A signature, key or algorithm fault reads as an unknown client
 * does (the detail keeps it), so an assertion made up for a guessed client_id tells nothing.
 */
function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The client_assertion has expired.'
  if (error instanceof errors.JWTClaimValidationFailed) return `The client_assertion claim ${error.claim} is invalid.`
  return 'Client authentication failed.'
}
