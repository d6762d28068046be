import type { FlowConfig, TokenGrantConfig } from '../config.js'
import { refreshTokenGrant } from '../grants/refresh-token.js'
import type { GenerateToken, OAuth2RefreshTokenParams, OAuth2TokenParams } from '../grants/token-context.js'
import { FlowBuilder } from './flow-builder.js'
import { OAuth2RefreshTokenRoute } from './routes.js'

/** The longest grace window `setRefreshTokenGracePeriod` accepts, in seconds: the window must stay short. */
export const MAX_REFRESH_TOKEN_GRACE_PERIOD = 300

/**
 * A flow that can issue refresh tokens (authorization code, device). It serves the `refresh_token`
 * grant (RFC 6749 §6) at its token endpoint by default, with the core's secure default: opaque,
 * hashed, client-bound refresh tokens, rotated on every use, with reuse detection that revokes the
 * grant (RFC 9700 §4.14.2). `refreshTokenRoute(route => route.generateToken(fn))` takes over.
 *
 * Client-credentials builders do not extend it, so calling `refreshTokenRoute` there is a type
 * error, and a `refresh_token` grant there is `unsupported_grant_type` (RFC 6749 §4.4.3).
 */
export abstract class RefreshableFlowBuilder<TContext extends OAuth2TokenParams> extends FlowBuilder<TContext> {
  /** @internal */ protected refreshRoute: OAuth2RefreshTokenRoute<OAuth2RefreshTokenParams> | undefined
  /** @internal */ protected refreshTokenGracePeriod: number | undefined

  /**
   * Configures the `refresh_token` grant (RFC 6749 §6) at the token endpoint (default: the token
   * route's path). Without `generateToken` the core's default handler serves it (see
   * `docs/refresh-token.md`); with one, your handler does, as in kaapi.
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

  /**
   * The grace window of the core's refresh-token rotation, in seconds (default 0: none; at most
   * 300). Within it, a refresh token that was just rotated may be presented once more, by a client
   * whose response was lost, and gets a fresh pair of the same grant (the pair issued first stops
   * working) instead of revoking the grant. The trade-off: an attacker replaying a stolen token within
   * the window is not detected, and takes over the grant instead of ending it.
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
   */
  setRefreshTokenGracePeriod(seconds: number): this {
    if (!(Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_REFRESH_TOKEN_GRACE_PERIOD)) {
      throw new TypeError(`setRefreshTokenGracePeriod: expected a whole number of seconds from 0 to ${MAX_REFRESH_TOKEN_GRACE_PERIOD}.`)
    }
    this.refreshTokenGracePeriod = seconds
    return this
  }

  /** @internal */
  protected override extraGrants(): TokenGrantConfig[] {
    return [
      {
        grant: refreshTokenGrant as never,
        // Without a refreshTokenRoute, the default grant sits at the token route's own path.
        path: this.refreshRoute?.path ?? this.tokenRouteConfig.path,
        generateToken: this.refreshRoute?.handler as GenerateToken<OAuth2TokenParams> | undefined,
      },
    ]
  }

  /** @internal */
  override toFlowConfig(): FlowConfig {
    const config = super.toFlowConfig()
    return this.refreshTokenGracePeriod === undefined ? config : { ...config, refreshTokenGracePeriod: this.refreshTokenGracePeriod }
  }
}
