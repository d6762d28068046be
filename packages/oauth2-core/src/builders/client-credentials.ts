import { clientCredentialsGrant } from '../grants/client-credentials.js'
import type { OAuth2ClientCredentialsTokenParams } from '../grants/token-context.js'
import { FlowBuilder } from './flow-builder.js'

/**
 * The client credentials flow (RFC 6749 §4.4): confidential clients only, no refresh tokens (§4.4.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export class OAuth2ClientCredentialsBuilder extends FlowBuilder<OAuth2ClientCredentialsTokenParams> {
  /** @internal */ protected readonly grant = clientCredentialsGrant as never
  /** @internal */ protected defaultStrategyName = 'oauth2-client-credentials'
}

/** The client credentials flow with OpenID Connect discovery and JWKS. */
export class OIDCClientCredentialsBuilder extends OAuth2ClientCredentialsBuilder {
  /** @internal */ protected override readonly oidc: boolean = true
}
