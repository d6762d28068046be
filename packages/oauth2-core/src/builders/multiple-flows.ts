import type { FlowConfig } from '../config.js'
import { OAuth2Provider } from '../server.js'
import { ProviderSettingsBuilder, resolveProviderConfig, type ProviderSettings } from './provider-settings.js'
import { checkPath } from './routes.js'

/**
 * Several flows behind one token endpoint, one JWKS and one set of keys. `grant_type` picks the
 * flow; a `refresh_token` request goes to each flow with a refresh route in the order they were
 * added until one answers (returns something other than `null`).
 *
 * Provider-wide settings made here win; those not made here come from the first flow that made them.
 *
 * @example
 * ```ts
 * const provider = MultipleFlowsBuilder.create()
 *   .setIssuer('https://auth.example.com')
 *   .add(OIDCAuthorizationCodeBuilder.create().tokenRoute(...).refreshTokenRoute(...))
 *   .add(OAuth2ClientCredentialsBuilder.create().tokenRoute(...))
 *   .build()
 * ```
 */
/** What `MultipleFlowsBuilder.add()` takes: any flow builder. */
export interface FlowSource {
  /** @internal */ toFlowConfig(): FlowConfig
  /** @internal */ providerSettings(): Readonly<ProviderSettings>
}

export class MultipleFlowsBuilder extends ProviderSettingsBuilder {
  readonly #flows: FlowSource[] = []
  #tokenEndpoint: string | undefined

  /** Creates a builder; `tokenEndpoint` sets the shared token path (default `/oauth2/token`). */
  static create(options: { tokenEndpoint?: string } = {}): MultipleFlowsBuilder {
    const builder = new MultipleFlowsBuilder()
    if (options.tokenEndpoint !== undefined) builder.tokenEndpoint(options.tokenEndpoint)
    return builder
  }

  /** Adds a flow. */
  add(flow: FlowSource): this {
    this.#flows.push(flow)
    return this
  }

  /** The one token endpoint path every flow shares. */
  tokenEndpoint(path: string): this {
    this.#tokenEndpoint = checkPath(path, 'tokenEndpoint')
    return this
  }

  /** Builds the combined provider. */
  build(): OAuth2Provider {
    if (this.#flows.length === 0) throw new TypeError('MultipleFlowsBuilder: add(flow) at least one flow before build().')
    const merged: ProviderSettings = {}
    for (const flow of this.#flows) {
      for (const [key, value] of Object.entries(flow.providerSettings())) {
        if (value !== undefined && (merged as Record<string, unknown>)[key] === undefined) (merged as Record<string, unknown>)[key] = value
      }
    }
    Object.assign(merged, Object.fromEntries(Object.entries(this.settings).filter(([, v]) => v !== undefined)))
    // One discovery document: every flow's additionalConfiguration, then this builder's, merged.
    const extra = Object.assign({}, ...this.#flows.map((f) => f.providerSettings().additionalConfiguration ?? {}), this.settings.additionalConfiguration ?? {})
    if (Object.keys(extra).length > 0) merged.additionalConfiguration = extra
    const path = this.#tokenEndpoint ?? '/oauth2/token'
    // A JWKS served for the combined provider means its flows sign JWT access tokens (kaapi: a JWT
    // authority shared by every flow), even when only this builder called jwksRoute().
    const sharedJwks = this.settings.jwksPath !== undefined
    const flows: FlowConfig[] = this.#flows.map((flow) => {
      const config = flow.toFlowConfig()
      return { ...config, jwtAccessTokens: config.jwtAccessTokens || sharedJwks, grants: config.grants.map((g) => ({ ...g, path })) }
    })
    return new OAuth2Provider(resolveProviderConfig(merged, flows))
  }
}
