import type { TokenGrantConfig } from '../config.js'
import { refreshTokenGrant } from '../grants/refresh-token.js'
import type { GenerateToken, OAuth2RefreshTokenParams, OAuth2TokenParams } from '../grants/token-context.js'
import { FlowBuilder } from './flow-builder.js'
import { OAuth2RefreshTokenRoute } from './routes.js'

/**
 * A flow that can issue refresh tokens (authorization code, device): adds `refreshTokenRoute`.
 * Client-credentials builders do not extend it, so calling `refreshTokenRoute` there is a type
 * error, and a `refresh_token` grant there is `unsupported_grant_type`.
 */
export abstract class RefreshableFlowBuilder<TContext extends OAuth2TokenParams> extends FlowBuilder<TContext> {
  /** @internal */ protected refreshRoute: OAuth2RefreshTokenRoute<OAuth2RefreshTokenParams> | undefined

  /**
   * Serves the `refresh_token` grant (RFC 6749 §6) at the token endpoint (default `/oauth2/token`).
   *
   * @example
   * ```ts
   * .refreshTokenRoute(route => route.generateToken(async ({ refreshToken, clientId, ttl, verifyJwt }) => {
   *   const payload = await verifyJwt(refreshToken)
   *   if (payload?.client_id !== clientId) return { error: OAuth2ErrorCode.INVALID_GRANT }
   *   ...
   * }))
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
   */
  refreshTokenRoute(configure: (route: OAuth2RefreshTokenRoute<OAuth2RefreshTokenParams>) => unknown): this {
    this.refreshRoute ??= new OAuth2RefreshTokenRoute()
    configure(this.refreshRoute)
    return this
  }

  /** @internal */
  protected override extraGrants(): TokenGrantConfig[] {
    if (this.refreshRoute === undefined) return []
    if (this.refreshRoute.handler === undefined) {
      throw new TypeError(`${this.constructor.name}: refreshTokenRoute needs a handler: refreshTokenRoute(route => route.generateToken(fn)).`)
    }
    return [
      {
        grant: refreshTokenGrant as never,
        path: this.refreshRoute.path,
        generateToken: this.refreshRoute.handler as GenerateToken<OAuth2TokenParams>,
      },
    ]
  }
}
