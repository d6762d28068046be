import { deviceCodeGrant } from '../grants/device-code.js'
import type { OAuth2DeviceAuthTokenParams } from '../grants/token-context.js'
import { RefreshableFlowBuilder } from './refreshable-flow-builder.js'

/**
 * The device authorization grant (RFC 8628).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
export class OAuth2DeviceAuthorizationBuilder extends RefreshableFlowBuilder<OAuth2DeviceAuthTokenParams> {
  /** @internal */ protected readonly grant = deviceCodeGrant as never
  /** @internal */ protected defaultStrategyName = 'oauth2-device-authorization'
}

/** The device authorization grant with OpenID Connect: ID tokens and a JWKS. */
export class OIDCDeviceAuthorizationBuilder extends OAuth2DeviceAuthorizationBuilder {
  /** @internal */ protected override readonly oidc: boolean = true
}
