import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { sha256 } from '../internal/hash.js'
import type { AccessTokenEntry } from './issue-tokens.js'
import { isLookupCandidate, looksLikeJwt } from './token-shape.js'
import { verifyJwt } from './verify-jwt.js'

/** An access token the provider issued and still honours. */
export interface ValidAccessToken {
  format: 'jwt' | 'opaque'
  clientId: string
  sub: string | undefined
  scope: string[]
  /** Epoch seconds. */
  iat: number
  exp: number
  grantId: string | undefined
  /** The JWT claims (RFC 9068), or the stored entry of an opaque token. */
  claims: Record<string, unknown>
}

/**
 * Checks an access token the way every consumer in the core must (userinfo, introspection, the
 * resource-server middleware): a JWT must carry a valid signature by a published key, `typ: at+jwt`
 * and an `aud` naming the configured audience (RFC 9068 §4), not be expired, and still be recorded
 * in the store (revocation deletes the record); an opaque token must be recorded and unexpired.
 * `undefined` for anything else; never throws on bad input.
 */
export async function validateAccessToken(token: string, runtime: ProviderRuntime): Promise<ValidAccessToken | undefined> {
  if (!isLookupCandidate(token)) return undefined
  const { config } = runtime
  const now = config.now()
  if (looksLikeJwt(token)) {
    const payload = await verifyJwt(token, { typ: 'at+jwt', audience: config.accessTokenAudience ?? config.issuer }, { keys: runtime.keys, issuer: config.issuer, now })
    if (payload === null || typeof payload.jti !== 'string') return undefined
    const entry = (await config.store.get('access_token', sha256(payload.jti))) as AccessTokenEntry | undefined
    if (entry === undefined) return undefined
    return {
      format: 'jwt',
      clientId: typeof payload['client_id'] === 'string' ? payload['client_id'] : entry.clientId,
      sub: typeof payload.sub === 'string' ? payload.sub : undefined,
      scope: typeof payload['scope'] === 'string' && payload['scope'] !== '' ? payload['scope'].split(' ') : [],
      iat: payload.iat ?? entry.iat,
      exp: payload.exp!,
      grantId: entry.grantId,
      claims: payload,
    }
  }
  const entry = (await config.store.get('access_token', sha256(token))) as AccessTokenEntry | undefined
  if (entry === undefined || entry.format !== 'opaque' || entry.exp * 1000 <= now) return undefined
  return {
    format: 'opaque',
    clientId: entry.clientId,
    sub: entry.sub,
    scope: entry.scope === '' ? [] : entry.scope.split(' '),
    iat: entry.iat,
    exp: entry.exp,
    grantId: entry.grantId,
    claims: { ...entry },
  }
}
