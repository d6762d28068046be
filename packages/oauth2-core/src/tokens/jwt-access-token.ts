import type { JWTPayload } from 'jose'
import { randomToken } from '../internal/random.js'
import { joinScope } from '../schemas/common.js'
import type { KeyManager } from './key-manager.js'
import type { SigningAlgorithm } from './key-store.js'
import type { RegisteredClaims } from './registered-claims.js'
import { signClaims } from './sign-claims.js'

/** Claims of an RFC 9068 access token; any may be overridden, extra claims are kept, `undefined` keeps the default. */
export interface JwtAccessTokenClaims extends RegisteredClaims {
  sub?: string | undefined
  client_id?: string | undefined
  /** A space-delimited string; an array is joined (RFC 9068 §2.2.3). */
  scope?: string | string[] | undefined
  auth_time?: number | undefined
  acr?: string | undefined
  amr?: string[] | undefined
}

/** A signed token and the `kid` of its key. */
export interface SignedToken {
  token: string
  kid: string
}

/** What {@link createJwtAccessToken} needs from the provider and the request. */
export interface JwtAccessTokenDefaults {
  keys: KeyManager
  alg: SigningAlgorithm
  issuer: string
  audience: string | string[]
  /** Lifetime in seconds. */
  ttl: number
  now: number
  clientId: string
  scope: string | undefined
}

/**
 * Signs an RFC 9068 JWT access token: header `typ: at+jwt`; claims `iss`, `exp`, `aud`, `sub`,
 * `client_id`, `iat`, `jti` always, `scope` when known. Given claims override the defaults.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-2
 */
export async function createJwtAccessToken(claims: JwtAccessTokenClaims, defaults: JwtAccessTokenDefaults): Promise<SignedToken> {
  const { token, kid } = await signJwtAccessToken(claims, defaults)
  return { token, kid }
}

/** {@link createJwtAccessToken}, also returning the signed claims, for callers that record the token. */
export async function signJwtAccessToken(
  claims: JwtAccessTokenClaims,
  defaults: JwtAccessTokenDefaults,
): Promise<SignedToken & { payload: JWTPayload }> {
  // Without a wait when the key is known: the signature then starts before the caller's next await.
  const { kid, alg, key } = defaults.keys.currentSigningKey(defaults.alg) ?? (await defaults.keys.signingKey(defaults.alg))
  const iat = Math.floor(defaults.now / 1000)
  const payload: JWTPayload = {
    iss: defaults.issuer,
    aud: defaults.audience,
    iat,
    exp: iat + defaults.ttl,
    jti: claims.jti === undefined ? randomToken(16) : claims.jti,
    // RFC 9068 §2.2: with no resource owner (client_credentials), sub is the client's identifier.
    sub: defaults.clientId,
    client_id: defaults.clientId,
  }
  if (defaults.scope !== undefined) payload['scope'] = defaults.scope
  // A claim given as `undefined` (`{ sub: user?.id }`) keeps its default: RFC 9068 §2.2 requires it.
  assignDefinedClaims(payload, claims)
  if (Array.isArray(payload['scope'])) payload['scope'] = joinScope(payload['scope'] as string[])
  if (payload['scope'] === undefined || payload['scope'] === '') delete payload['scope']
  const token = await signClaims(payload, { alg, kid, typ: 'at+jwt' }, key)
  return { token, kid, payload }
}

/** @internal The claims whose value is not `undefined`. */
export function definedClaims(claims: Readonly<Record<string, unknown>> | null | undefined): JWTPayload {
  return assignDefinedClaims({}, claims)
}

/** Copies onto `target` the claims whose value is not `undefined`; a claim named `__proto__` stays a claim. */
function assignDefinedClaims(target: JWTPayload, claims: Readonly<Record<string, unknown>> | null | undefined): JWTPayload {
  if (claims === null || typeof claims !== 'object') return target
  for (const name of Object.keys(claims)) {
    const value = claims[name]
    if (value === undefined) continue
    if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true })
    else target[name] = value
  }
  return target
}
