import { toClientAuthMethod } from '../client-auth/authenticate-client.js'
import type { ClientAuthMethod } from '../client-auth/client-auth-method.js'
import type { ClientAuthMethodName } from '../client-auth/client-metadata.js'
import type { FlowConfig, TokenGrantConfig, TokenType } from '../config.js'
import type { GrantDefinition } from '../grants/grant-definition.js'
import type { GenerateToken, OAuth2TokenParams } from '../grants/token-context.js'
import { SCOPE_PATTERN } from '../schemas/common.js'
import { OAuth2Provider } from '../server.js'
import { ProviderSettingsBuilder, resolveProviderConfig, type ProviderSettings } from './provider-settings.js'
import { OAuth2TokenRoute } from './routes.js'
import { BearerToken } from './token-types.js'

/**
 * What all flow builders share (kaapi's common builder methods). A flow builder describes one flow;
 * `build()` turns it into an {@link OAuth2Provider}, or `MultipleFlowsBuilder.add()` combines several.
 *
 * @typeParam TContext - the handler context of the flow's main grant
 */
export abstract class FlowBuilder<TContext extends OAuth2TokenParams> extends ProviderSettingsBuilder {
  /** @internal */ protected abstract readonly grant: GrantDefinition<never>
  /** @internal */ protected readonly oidc: boolean = false
  /** @internal */ protected abstract defaultStrategyName: string
  /** @internal */ protected name: string | undefined
  /** @internal */ protected description: string | undefined
  /** @internal */ protected tokenTtl: number | undefined
  /** @internal */ protected idTokenTtl: number | undefined
  /** @internal */ protected refreshTokenIdleTtl: number | undefined
  /** @internal */ protected refreshTokenAbsoluteTtl: number | undefined
  /** @internal */ protected scopes: Record<string, string> = {}
  /** @internal */ protected tokenType: TokenType = new BearerToken()
  /** @internal */ protected readonly authMethods = new Map<ClientAuthMethodName, ClientAuthMethod>()
  /** @internal */ protected jwtAccessTokens = false
  /** @internal */ protected readonly tokenRouteConfig = new OAuth2TokenRoute<TContext>()

  /**
   * Creates a builder (kaapi's entry point). It takes no arguments: kaapi's `create(partialArgs)`
   * is configured with the builder's methods here, and arguments are refused rather than ignored.
   */
  static create<T>(this: new () => T, ...args: never[]): T {
    if (args.length > 0) {
      throw new TypeError('create() takes no arguments: configure the builder with its methods (setIssuer, setScopes, setTokenType, ...).')
    }
    return new this()
  }

  /** The flow's name, used by adapters and docs (kaapi's strategy name). */
  strategyName(name: string): this {
    this.name = name
    return this
  }

  /** A human description of the flow, for docs. */
  setDescription(description: string): this {
    this.description = description
    return this
  }

  /** Access-token lifetime in seconds, given to handlers as `ttl` and used by `createJwtAccessToken`. Default 3600. */
  setTokenTtl(seconds: number): this {
    this.tokenTtl = positiveInteger(seconds, 'setTokenTtl')
    return this
  }

  /** Alias of {@link FlowBuilder.setTokenTtl} (kaapi's earlier spelling). */
  setTokenTTL(seconds: number): this {
    return this.setTokenTtl(seconds)
  }

  /** ID-token lifetime in seconds. Default: the access-token lifetime. */
  setIdTokenTtl(seconds: number): this {
    this.idTokenTtl = positiveInteger(seconds, 'setIdTokenTtl')
    return this
  }

  /**
   * Lifetimes of the refresh tokens the core issues, in seconds: `idle` (default 14 days) since the
   * token was issued, `absolute` (default 90 days) since the grant began; rotation never extends the
   * absolute one (RFC 9700 §4.14.2).
   */
  setRefreshTokenTtl(idle: number, absolute?: number): this {
    this.refreshTokenIdleTtl = positiveInteger(idle, 'setRefreshTokenTtl')
    if (absolute !== undefined) this.refreshTokenAbsoluteTtl = positiveInteger(absolute, 'setRefreshTokenTtl')
    return this
  }

  /**
   * The scopes this flow offers, with descriptions. A request for any other scope is `invalid_scope`
   * (RFC 6749 §3.3). With no scopes declared, any well-formed scope reaches the handler.
   */
  setScopes(scopes: Record<string, string>): this {
    for (const name of Object.keys(scopes)) {
      if (!SCOPE_PATTERN.test(name) || name.includes(' ')) throw new TypeError(`setScopes: "${name}" is not a valid scope token (RFC 6749 §3.3).`)
    }
    this.scopes = { ...scopes }
    return this
  }

  /** The token type (default `BearerToken`): its prefix is the handler's `tokenType`. */
  setTokenType(tokenType: TokenType): this {
    this.tokenType = tokenType
    return this
  }

  /**
   * Allows a client authentication method: a strategy object (`new ClientSecretBasic()`, ...) or its
   * IANA name (`'client_secret_basic'`, ...). Without any, `client_secret_basic` is allowed.
   */
  addClientAuthenticationMethod(method: ClientAuthMethod | ClientAuthMethodName): this {
    const strategy = toClientAuthMethod(method)
    this.authMethods.set(strategy.name, strategy)
    return this
  }

  /** Enables JWT access tokens: handlers get `createJwtAccessToken` and the JWKS is published. */
  useAccessTokenJwks(enabled = true): this {
    this.jwtAccessTokens = enabled
    return this
  }

  /** Configures the flow's main grant at the token endpoint. */
  tokenRoute(configure: (route: OAuth2TokenRoute<TContext>) => unknown): this {
    configure(this.tokenRouteConfig)
    return this
  }

  /** Builds the provider. Synchronous; configuration mistakes throw here with a message that says how to fix them. */
  build(): OAuth2Provider {
    const flow = this.toFlowConfig()
    return new OAuth2Provider(resolveProviderConfig(this.settings, [flow]))
  }

  /** @internal The grants this flow serves besides the main one (refresh). */
  protected extraGrants(): TokenGrantConfig[] {
    return []
  }

  /** @internal */
  toFlowConfig(): FlowConfig {
    const name = this.name ?? this.defaultStrategyName
    const authMethods = new Map(this.authMethods)
    if (authMethods.size === 0) authMethods.set('client_secret_basic', toClientAuthMethod('client_secret_basic'))
    const scopes = this.oidc ? { openid: 'OpenID Connect', ...this.scopes } : { ...this.scopes }
    const tokenTtl = this.tokenTtl ?? 3600
    return {
      name,
      description: this.description,
      oidc: this.oidc,
      grants: [
        // A grant is served when the user handles it or the core has a secure default for it.
        ...(this.tokenRouteConfig.handler !== undefined || (this.grant as GrantDefinition).defaultHandler !== undefined
          ? [{ grant: this.grant, path: this.tokenRouteConfig.path, generateToken: this.tokenRouteConfig.handler as GenerateToken<OAuth2TokenParams> | undefined }]
          : []),
        ...this.extraGrants(),
      ],
      authMethods,
      tokenTtl,
      idTokenTtl: this.idTokenTtl ?? tokenTtl,
      refreshTokenIdleTtl: this.refreshTokenIdleTtl ?? 14 * 24 * 3600,
      refreshTokenAbsoluteTtl: this.refreshTokenAbsoluteTtl ?? 90 * 24 * 3600,
      tokenType: this.tokenType,
      scopes,
      jwtAccessTokens: this.jwtAccessTokens || this.oidc || this.settings.jwksPath !== undefined,
    }
  }

  /** @internal Provider-wide settings, for `MultipleFlowsBuilder`. */
  providerSettings(): Readonly<ProviderSettings> {
    return this.settings
  }
}

function positiveInteger(value: number, what: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw new TypeError(`${what}: expected a positive whole number of seconds.`)
  return value
}
