import type { CanIntrospect } from '../endpoints/introspection.js'
import { checkCallback, checkPath } from './routes.js'

/**
 * Configures the token revocation endpoint (RFC 7009): `setPath(path)` (default `/oauth2/revoke`)
 * or `disable()`. It is served by default.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009
 */
export class RevocationRoute {
  /** @internal */ path = '/oauth2/revoke'
  /** @internal */ enabled = true

  /** The revocation path, relative to the issuer's path. */
  setPath(path: string): this {
    this.path = checkPath(path, 'revocationRoute')
    return this
  }

  /** Serves no revocation endpoint (and advertises none). */
  disable(): this {
    this.enabled = false
    return this
  }
}

/**
 * Configures the token introspection endpoint (RFC 7662): `setPath(path)` (default
 * `/oauth2/introspect`), `canIntrospect(fn)` or `disable()`. It is served by default when the
 * provider has a client lookup (`findClient` or a store with `findClient`), since only
 * authenticated clients may call it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662
 */
export class IntrospectionRoute {
  /** @internal */ path = '/oauth2/introspect'
  /** @internal */ enabled = true
  /** @internal */ policy: CanIntrospect | undefined

  /** The introspection path, relative to the issuer's path. */
  setPath(path: string): this {
    this.path = checkPath(path, 'introspectionRoute')
    return this
  }

  /**
   * Who may introspect what. The default lets a client see the tokens issued to it and the access
   * tokens whose `aud` names it; return `true` here for the resource servers that may see any token.
   * A token the caller may not see is answered `{ "active": false }` (RFC 7662 §4).
   *
   * @example
   * ```ts
   * .introspectionRoute(route => route.canIntrospect((caller, token) => caller.clientId === 'api' || token.client_id === caller.clientId))
   * ```
   */
  canIntrospect(fn: CanIntrospect): this {
    this.policy = checkCallback(fn, 'canIntrospect')
    return this
  }

  /** Serves no introspection endpoint (and advertises none). */
  disable(): this {
    this.enabled = false
    return this
  }
}
