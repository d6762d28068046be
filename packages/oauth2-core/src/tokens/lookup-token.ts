import type { JWTPayload } from 'jose'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { sha256 } from '../internal/hash.js'
import type { AccessTokenEntry, RefreshTokenEntry } from './issue-tokens.js'
import { isLookupCandidate, looksLikeJwt } from './token-shape.js'
import { verifyJwt } from './verify-jwt.js'

/** An access token the core recorded, with its verified claims when it is a JWT. */
export interface FoundAccessToken {
  kind: 'access_token'
  /** Its store id (kind `access_token`). */
  id: string
  entry: AccessTokenEntry
  /** The verified claims of a JWT access token (RFC 9068); `undefined` for an opaque one. */
  claims: JWTPayload | undefined
}

/** A refresh token the core recorded (live, or consumed by a rotation). */
export interface FoundRefreshToken {
  kind: 'refresh_token'
  /** Its store id (kind `refresh_token`). */
  id: string
  entry: RefreshTokenEntry
}

/** A token found by {@link lookupToken}. */
export type FoundToken = FoundAccessToken | FoundRefreshToken

/**
 * Finds a token the core issued or recorded. `hint` (`token_type_hint`) only orders the search:
 * RFC 7009 §2.1 and RFC 7662 §2.1 require extending it to every type when the hinted one fails,
 * and an unknown hint is ignored. A JWT access token counts only with a valid signature by a
 * published key, `typ: at+jwt` and an unexpired `exp`, and with its `jti` still recorded.
 * `undefined` for anything else; never throws on bad input.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export async function lookupToken(token: string, hint: string | undefined, runtime: ProviderRuntime): Promise<FoundToken | undefined> {
  if (!isLookupCandidate(token)) return undefined
  const order = hint === 'refresh_token' ? [findRefreshToken, findAccessToken] : [findAccessToken, findRefreshToken]
  for (const find of order) {
    const found = await find(token, runtime)
    if (found !== undefined) return found
  }
  return undefined
}

async function findAccessToken(token: string, runtime: ProviderRuntime): Promise<FoundAccessToken | undefined> {
  const { config } = runtime
  if (looksLikeJwt(token)) {
    const claims = await verifyJwt(token, { typ: 'at+jwt' }, { keys: runtime.keys, issuer: config.issuer, now: config.now() })
    if (claims === null || typeof claims.jti !== 'string') return undefined
    const id = sha256(claims.jti)
    const entry = (await config.store.get('access_token', id)) as AccessTokenEntry | undefined
    return entry?.format === 'jwt' ? { kind: 'access_token', id, entry, claims } : undefined
  }
  const id = sha256(token)
  const entry = (await config.store.get('access_token', id)) as AccessTokenEntry | undefined
  return entry?.format === 'opaque' ? { kind: 'access_token', id, entry, claims: undefined } : undefined
}

async function findRefreshToken(token: string, runtime: ProviderRuntime): Promise<FoundRefreshToken | undefined> {
  const id = sha256(token)
  const entry = (await runtime.config.store.get('refresh_token', id)) as RefreshTokenEntry | undefined
  return entry === undefined ? undefined : { kind: 'refresh_token', id, entry }
}
