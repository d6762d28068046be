import { STANDARD_SCOPE_CLAIMS, type GetUserInfo } from '../endpoints/userinfo.js'
import { SCOPE_PATTERN } from '../schemas/common.js'
import { checkCallback, checkPath } from './routes.js'

/**
 * Configures the OpenID Connect UserInfo endpoint (OIDC Core §5.3): `setPath`, `getUserInfo`,
 * `setScopeClaims`.
 *
 * @example
 * ```ts
 * .userInfoRoute(route => route
 *   .getUserInfo(async (sub) => users.claims(sub))
 *   .setScopeClaims('employee', ['department', 'employee_number']))
 * ```
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 */
export class UserInfoRoute {
  /** @internal */ path = '/oauth2/userinfo'
  /** @internal */ getClaims: GetUserInfo | undefined
  /** @internal Null-prototype: scope names are keys, and `toString` or `__proto__` is a scope token like any other. */
  readonly scopeClaims: Record<string, readonly string[]> = Object.assign(Object.create(null) as Record<string, readonly string[]>, STANDARD_SCOPE_CLAIMS)

  /** The endpoint path, relative to the issuer's path. Default `/oauth2/userinfo`. */
  setPath(path: string): this {
    this.path = checkPath(path, 'userInfoRoute')
    return this
  }

  /**
   * Where the claims come from: `fn(sub, scopes, { clientId, request })` returns the user's claims
   * or `null` (no such user). Only claims the token's scopes release are sent (OIDC Core §5.4).
   * Without it, the endpoint answers `sub` alone.
   */
  getUserInfo(fn: GetUserInfo): this {
    this.getClaims = checkCallback(fn, 'getUserInfo')
    return this
  }

  /** The claims a scope releases, for your own scopes (or to change a standard one's). */
  setScopeClaims(scope: string, claims: readonly string[]): this {
    if (typeof scope !== 'string' || !SCOPE_PATTERN.test(scope) || scope.includes(' ')) throw new TypeError(`setScopeClaims: "${String(scope)}" is not a scope token.`)
    if (!Array.isArray(claims) || !claims.every((c) => typeof c === 'string' && c !== '')) throw new TypeError('setScopeClaims: claims must be a list of claim names.')
    this.scopeClaims[scope] = [...claims]
    return this
  }
}
