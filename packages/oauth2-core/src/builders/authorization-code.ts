import { toClientAuthMethod } from '../client-auth/authenticate-client.js'
import type { FlowConfig, FlowEndpointConfig } from '../config.js'
import { createAuthorizationEndpoint } from '../endpoints/authorization.js'
import type { AuthorizationEndpointSettings, PkceSettings } from '../endpoints/authorization/types.js'
import { createUserInfoEndpoint, type GetUserInfo, type UserInfoSettings } from '../endpoints/userinfo.js'
import { authorizationCodeGrant, coreAuthorizationCodeGrant } from '../grants/authorization-code.js'
import type { GrantDefinition } from '../grants/grant-definition.js'
import type { OAuth2ACTokenParams } from '../grants/token-context.js'
import { OAuth2ACAuthorizationRoute } from './authorization-route.js'
import { RefreshableFlowBuilder } from './refreshable-flow-builder.js'
import { UserInfoRoute } from './userinfo-route.js'

/**
 * The authorization code flow (RFC 6749 §4.1) with PKCE (RFC 7636): the authorization endpoint
 * (`authorizationRoute`), the `authorization_code` grant at the token endpoint, refresh tokens.
 *
 * With `authorizationRoute(...)` and no `generateCode`, the core issues and redeems the codes: single
 * use, 60 s, bound to the client, the redirect URI, the PKCE challenge, the nonce, the scope and the
 * user; the token endpoint then needs no `generateToken` (the core issues the tokens) but may have one
 * (it gets the redeemed code's data as `authorization`). Without `authorizationRoute`, the flow is
 * kaapi's token-only one: your `generateToken` redeems codes issued elsewhere.
 *
 * @example
 * ```ts
 * const provider = OAuth2AuthorizationCodeBuilder.create()
 *   .setIssuer('https://auth.example.com')
 *   .findClient((id) => clients.get(id))
 *   .authorizationRoute(route => route.authenticateUser(async ({ username, password }) => users.check(username, password)))
 *   .build()
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 */
export class OAuth2AuthorizationCodeBuilder extends RefreshableFlowBuilder<OAuth2ACTokenParams> {
  /** @internal */ protected defaultStrategyName = 'oauth2-authorization-code'
  /** @internal */ protected authorizationRouteConfig: OAuth2ACAuthorizationRoute | undefined
  /** @internal */ protected userInfoRouteConfig: UserInfoRoute | undefined
  /** @internal */ protected readonly pkce: PkceSettings = { requiredForConfidentialClients: true, allowPlain: false }
  /** @internal `true`: `none` added (withPkce); `false`: `none` removed (withoutPkce). */
  protected publicClients: boolean | undefined

  /** @internal The core redeems the codes it issues; codes from `generateCode` are the user's to redeem. */
  protected get grant(): GrantDefinition<never> {
    const coreCodes = this.authorizationRouteConfig !== undefined && this.authorizationRouteConfig.generateCodeFn === undefined
    return (coreCodes ? coreAuthorizationCodeGrant : authorizationCodeGrant) as never
  }

  /**
   * Serves the authorization endpoint (RFC 6749 §3.1; default `/oauth2/authorize`, GET and POST):
   * sign-in, consent, code. See {@link OAuth2ACAuthorizationRoute} for its methods.
   *
   * @example
   * ```ts
   * .authorizationRoute(route => route
   *   .authenticateUser(async ({ username, password }) => (await checkPassword(username, password)) ? { sub: username, amr: ['pwd'] } : null)
   *   .consent(({ client }) => client.clientId === 'my-own-app' || null))
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
   */
  authorizationRoute(configure: (route: OAuth2ACAuthorizationRoute) => unknown): this {
    this.authorizationRouteConfig ??= new OAuth2ACAuthorizationRoute()
    configure(this.authorizationRouteConfig)
    return this
  }

  /**
   * Allows public clients (kaapi's `withPkce`): adds the `none` client authentication method. They
   * must always use PKCE (RFC 9700 §2.1.1); confidential clients must too unless `withoutPkce()`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7636
   */
  withPkce(): this {
    this.publicClients = true
    return this
  }

  /**
   * Stops requiring PKCE from confidential clients (kaapi's `withoutPkce`). Public clients cannot
   * do without it (RFC 9700 §2.1.1), so this also turns off the `none` method. A client that sends a
   * `code_challenge` anyway is still held to it.
   */
  withoutPkce(): this {
    this.publicClients = false
    this.pkce.requiredForConfidentialClients = false
    return this
  }

  /**
   * PKCE policy: `requiredForConfidentialClients` (default `true`; public clients always need PKCE),
   * `allowPlain` (default `false`: only `S256`, RFC 9700 §2.1.1).
   *
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.1.1
   */
  setPkceOptions(options: Partial<PkceSettings>): this {
    if (options.requiredForConfidentialClients !== undefined) this.pkce.requiredForConfidentialClients = options.requiredForConfidentialClients === true
    if (options.allowPlain !== undefined) this.pkce.allowPlain = options.allowPlain === true
    return this
  }

  /**
   * Configures the OpenID Connect UserInfo endpoint (default `/oauth2/userinfo`, served by the OIDC
   * builder, and by this one once configured). See {@link UserInfoRoute}.
   *
   * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
   */
  userInfoRoute(configure: (route: UserInfoRoute) => unknown): this {
    this.userInfoRouteConfig ??= new UserInfoRoute()
    configure(this.userInfoRouteConfig)
    return this
  }

  /**
   * Shorthand for `userInfoRoute(r => r.getUserInfo(fn))`: `fn(sub, scopes, { clientId, request })`
   * returns the user's claims; the endpoint releases those the token's scopes allow.
   *
   * @example
   * ```ts
   * .userInfo(async (sub) => ({ name: 'Ada Lovelace', email: 'ada@example.com', email_verified: true }))
   * ```
   */
  userInfo(fn: GetUserInfo): this {
    return this.userInfoRoute((route) => route.getUserInfo(fn))
  }

  /** @internal */
  override toFlowConfig(): FlowConfig {
    const base = super.toFlowConfig()
    const endpoints: FlowEndpointConfig[] = [...(base.endpoints ?? [])]
    const route = this.authorizationRouteConfig
    if (route !== undefined) {
      if (route.generateCodeFn !== undefined && this.tokenRouteConfig.handler === undefined) {
        throw new TypeError(
          `${this.constructor.name}: authorizationRoute(r => r.generateCode(fn)) issues codes the core does not know; ` +
            'add tokenRoute(r => r.generateToken(fn)) to redeem them, or drop generateCode to let the core issue and redeem the codes.',
        )
      }
      // A snapshot: changing the builder after build() does not change the built provider.
      const settings: AuthorizationEndpointSettings = {
        path: route.path,
        clientId: route.clientId,
        redirectUri: route.redirectUri,
        interaction: { ...route.interaction },
        generateCode: route.generateCodeFn,
        finalizeAuthorization: route.finalizeFn,
        renderErrorPage: route.errorRenderer,
        codeTtl: route.codeTtl,
        pkce: { ...this.pkce },
      }
      endpoints.push({ path: settings.path, create: (pathname, runtime, flow) => createAuthorizationEndpoint(pathname, flow, settings, runtime) })
    }
    if (this.oidc || this.userInfoRouteConfig !== undefined) {
      const userInfo = this.userInfoRouteConfig ?? new UserInfoRoute()
      const settings: UserInfoSettings = { path: userInfo.path, getClaims: userInfo.getClaims, scopeClaims: { ...userInfo.scopeClaims } }
      endpoints.push({ path: settings.path, key: 'userinfo', create: (pathname, runtime) => createUserInfoEndpoint(pathname, settings, runtime) })
    }
    let authMethods = base.authMethods
    if (this.publicClients !== undefined) {
      const methods = new Map(authMethods)
      if (this.publicClients) methods.set('none', toClientAuthMethod('none'))
      else methods.delete('none')
      authMethods = methods
    }
    return { ...base, authMethods, endpoints }
  }
}

/**
 * The authorization code flow with OpenID Connect: the `openid` scope, ID tokens (with `nonce`,
 * `auth_time`, `acr`, `amr`, `at_hash`), the UserInfo endpoint, the JWKS and the
 * `/.well-known/openid-configuration` document.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export class OIDCAuthorizationCodeBuilder extends OAuth2AuthorizationCodeBuilder {
  /** @internal */ protected override readonly oidc: boolean = true
}
