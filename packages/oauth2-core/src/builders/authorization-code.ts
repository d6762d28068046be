import { authorizationCodeGrant } from '../grants/authorization-code.js'
import type { OAuth2ACTokenParams } from '../grants/token-context.js'
import { RefreshableFlowBuilder } from './refreshable-flow-builder.js'

/**
 * The authorization code flow (RFC 6749 §4.1, with PKCE, RFC 7636).
 *
 * @example
 * ```ts
 * const provider = OAuth2AuthorizationCodeBuilder.create()
 *   .setIssuer('https://auth.example.com')
 *   .addClientAuthenticationMethod('client_secret_basic')
 *   .tokenRoute(route => route.generateToken(async ({ code, clientId, ttl }) => { ... }))
 *   .build()
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 */
export class OAuth2AuthorizationCodeBuilder extends RefreshableFlowBuilder<OAuth2ACTokenParams> {
  /** @internal */ protected readonly grant = authorizationCodeGrant as never
  /** @internal */ protected defaultStrategyName = 'oauth2-authorization-code'
}

/**
 * The authorization code flow with OpenID Connect: `openid` scope, ID tokens, a JWKS.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export class OIDCAuthorizationCodeBuilder extends OAuth2AuthorizationCodeBuilder {
  /** @internal */ protected override readonly oidc: boolean = true
}
