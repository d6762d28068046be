import type { JWTPayload } from 'jose'
import { base64url } from '../internal/base64url.js'
import type { KeyManager } from './key-manager.js'
import type { SigningAlgorithm } from './key-store.js'
import type { RegisteredClaims } from './registered-claims.js'
import { definedClaims, type SignedToken } from './jwt-access-token.js'
import { signClaims } from './sign-claims.js'

/** Claims of an ID token; `sub` is required. A claim given as `undefined` is left out (or keeps its default). */
export interface IdTokenClaims extends RegisteredClaims {
  sub: string
  nonce?: string | undefined
  auth_time?: number | undefined
  acr?: string | undefined
  amr?: string[] | undefined
  azp?: string | undefined
  at_hash?: string | undefined
}

/** Options of `createIdToken`. */
export interface IdTokenOptions {
  /** The access token issued with this ID token: `at_hash` is computed from it (OIDC Core §3.1.3.6). */
  accessToken?: string
}

/** What {@link createIdToken} needs from the provider and the request. */
export interface IdTokenDefaults {
  keys: KeyManager
  alg: SigningAlgorithm
  issuer: string
  clientId: string
  /** Lifetime in seconds. */
  ttl: number
  now: number
}

/**
 * Signs an OpenID Connect ID token: `iss`, `sub`, `aud` (the client), `exp`, `iat`, and `nonce`,
 * `auth_time`, `acr`, `amr`, `at_hash` when given.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export async function createIdToken(claims: IdTokenClaims, options: IdTokenOptions, defaults: IdTokenDefaults): Promise<SignedToken> {
  if (typeof claims?.sub !== 'string' || claims.sub === '') {
    throw new TypeError('createIdToken needs a non-empty "sub" claim (OpenID Connect Core §2).')
  }
  const { kid, alg, key } = await defaults.keys.signingKey(defaults.alg)
  const iat = Math.floor(defaults.now / 1000)
  const payload: JWTPayload = {
    iss: defaults.issuer,
    aud: defaults.clientId,
    iat,
    exp: iat + defaults.ttl,
    // A claim given as `undefined` keeps its default: an ID token without `aud` would be invalid.
    ...definedClaims(claims),
  }
  if (options?.accessToken !== undefined) payload['at_hash'] = await tokenHash(options.accessToken, alg)
  const token = await signClaims(payload, { alg, kid, typ: 'JWT' }, key)
  return { token, kid }
}

/**
 * `at_hash` / `c_hash`: base64url of the left half of the hash of the token's ASCII octets, with the
 * hash of the JWS algorithm (OIDC Core §3.1.3.6). `EdDSA` names no hash: with Ed25519 it is SHA-512,
 * the hash Ed25519 uses (RFC 8032 §5.1), as the OpenID Connect working group settled (connect issue #1125).
 */
export async function tokenHash(token: string, alg: SigningAlgorithm): Promise<string> {
  const hash = alg === 'EdDSA' ? 'SHA-512' : 'SHA-256'
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(token)))
  return base64url(digest.slice(0, digest.length / 2))
}
