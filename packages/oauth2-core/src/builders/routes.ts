import type { GenerateToken, OAuth2TokenParams } from '../grants/token-context.js'

/** Paths must start with `/` and hold only URL path characters. */
export function checkPath(path: string, what: string): string {
  if (typeof path !== 'string' || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(path)) {
    throw new TypeError(`${what}: the path "${String(path)}" must start with "/" and contain only URL path characters.`)
  }
  return path
}

/** A builder's callback argument, checked when it is given: `what(fn) needs a function` otherwise. */
export function checkCallback<T>(fn: T, what: string): T {
  if (typeof fn !== 'function') throw new TypeError(`${what}(fn) needs a function.`)
  return fn
}

/**
 * Configures a token endpoint grant: `setPath(path)` and `generateToken(fn)` (kaapi's `tokenRoute`).
 *
 * @typeParam TContext - the handler context of the grant
 */
export class OAuth2TokenRoute<TContext extends OAuth2TokenParams> {
  /** @internal */ path = '/oauth2/token'
  /** @internal */ handler: GenerateToken<TContext> | undefined

  /** The token endpoint path, relative to the issuer's path. Default `/oauth2/token`. */
  setPath(path: string): this {
    this.path = checkPath(path, 'tokenRoute')
    return this
  }

  /**
   * The token handler. It receives the validated parameters with helpers and the original request,
   * and returns an `OAuth2TokenResponse`, an `{ error, error_description }`, or `null` (a generic
   * `invalid_request`). A throw becomes a 500 `server_error` and goes to `onError`.
   */
  generateToken(fn: GenerateToken<TContext>): this {
    this.handler = checkCallback(fn, 'generateToken')
    return this
  }
}

/** Configures the `refresh_token` grant (kaapi's `refreshTokenRoute`); same methods as the token route. */
export class OAuth2RefreshTokenRoute<TContext extends OAuth2TokenParams> extends OAuth2TokenRoute<TContext> {}

/** Configures the JWKS endpoint: `setPath(path)`; default `/oauth2/keys`. */
export class JwksRoute {
  /** @internal */ path = '/oauth2/keys'

  /** The JWKS path, relative to the issuer's path. */
  setPath(path: string): this {
    this.path = checkPath(path, 'jwksRoute')
    return this
  }
}
