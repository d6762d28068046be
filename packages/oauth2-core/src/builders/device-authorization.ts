import type { FlowConfig } from '../config.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import {
  createDeviceAuthorizationEndpoint,
  type DeviceAuthorizationConfig,
  type DeviceCodeGenerator,
} from '../endpoints/device-authorization.js'
import {
  createDeviceVerificationEndpoint,
  type DeviceAttemptLimits,
  type DeviceCodePageRenderer,
  type DeviceDonePageRenderer,
  type DeviceVerificationConfig,
  type DeviceVerificationParams,
} from '../endpoints/device-verification.js'
import type { LoginPageRenderer } from '../interaction/types.js'
import { coreDeviceCodeGrant, deviceCodeGrant } from '../grants/device-code.js'
import type { GrantDefinition } from '../grants/grant-definition.js'
import type { OAuth2DeviceAuthTokenParams } from '../grants/token-context.js'
import { InteractionRoute } from './interaction-route.js'
import { RefreshableFlowBuilder } from './refreshable-flow-builder.js'
import { checkCallback, checkPath } from './routes.js'

/**
 * Configures the device authorization endpoint (kaapi's device `authorizationRoute`): `setPath`,
 * `generateCode`, `setClientId`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export class OAuth2DeviceAuthorizationRoute {
  /** @internal */ path = '/oauth2/device_authorization'
  /** @internal */ generator: DeviceCodeGenerator | undefined
  /** @internal */ clientId: string | undefined

  /**
   * The endpoint path, relative to the issuer's path. Default `/oauth2/device_authorization`;
   * kaapi's `/oauth2/devicecode` works as a configured path.
   */
  setPath(path: string): this {
    this.path = checkPath(path, 'authorizationRoute')
    return this
  }

  /**
   * Issues the codes yourself (kaapi's shape): `fn(params, request)` returns a `DeviceCodeResponse`,
   * an `{ error, error_description }`, or `null` (`invalid_client`). The client is authenticated and
   * `scope` validated before it runs. The codes are then yours: the core serves no verification
   * page for them and cannot answer the token endpoint, so give `tokenRoute(r => r.generateToken(fn))`
   * too. Without `generateCode` the core issues, verifies and answers for the codes itself.
   */
  generateCode(fn: DeviceCodeGenerator): this {
    this.generator = checkCallback(fn, 'generateCode')
    return this
  }

  /** Lets only this client use the endpoint (kaapi's `setClientId`); `null` allows any. Others get `unauthorized_client`. */
  setClientId(clientId: string | null): this {
    this.clientId = clientId ?? undefined
    return this
  }
}

/**
 * Configures the verification page the user visits (RFC 8628 §3.3): where it lives, how users sign
 * in and consent (the same callbacks and pages as the authorization endpoint), how it looks, and how
 * many attempts it accepts (RFC 8628 §5.1).
 *
 * @example
 * ```ts
 * .verificationRoute(route => route
 *   .authenticateUser(async ({ username, password }) => (await users.check(username, password)) ? { sub: username } : null)
 *   .limitAttempts({ perUserCode: 10, perClientAddress: 20, windowSeconds: 900 }))
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
 */
export class DeviceVerificationRoute extends InteractionRoute<DeviceVerificationParams> {
  /** @internal */ path = '/oauth2/device'
  /** @internal */ verificationUri: string | undefined
  /** @internal */ limits: DeviceAttemptLimits = { perUserCode: 10, perClientAddress: 20, windowSeconds: 900 }
  /** @internal */ renderCodePage: DeviceCodePageRenderer | undefined
  /** @internal */ renderDonePage: DeviceDonePageRenderer | undefined

  /** The page's path, relative to the issuer's path. Default `/oauth2/device`. */
  setPath(path: string): this {
    this.path = checkPath(path, 'verificationRoute')
    return this
  }

  /**
   * The `verification_uri` devices show, when it is not the page itself: a short address that
   * redirects to it (RFC 8628 §3.3.1: "the verification URI SHOULD be short and easy to remember").
   * An absolute https URL (http only on localhost), without query or fragment.
   */
  setVerificationUri(uri: string): this {
    let url: URL
    try {
      url = new URL(uri)
    } catch {
      throw new TypeError(`setVerificationUri: "${uri}" is not an absolute URL.`)
    }
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new TypeError(`setVerificationUri: "${uri}" must use https (http is only accepted for localhost).`)
    }
    if (url.search !== '' || url.hash !== '' || uri.includes('?') || uri.includes('#')) {
      throw new TypeError(`setVerificationUri: "${uri}" must not have a query or fragment; the core adds user_code for verification_uri_complete.`)
    }
    this.verificationUri = uri
    return this
  }

  /**
   * Brute-force limits (RFC 8628 §5.1): submissions per user code (default 10; then the code is
   * burnt and the device gets `access_denied`), failed submissions per client address per window
   * (default 20 per 900 seconds; needs adapters to fill `clientAddress`).
   */
  limitAttempts(limits: Partial<DeviceAttemptLimits>): this {
    const next = { ...this.limits, ...limits }
    for (const [name, value] of Object.entries(next)) {
      if (!(Number.isInteger(value) && value > 0)) throw new TypeError(`limitAttempts: ${name} must be a positive whole number.`)
    }
    this.limits = next
    return this
  }

  /**
   * Renders the sign-in page (the authorization endpoint's `setGETResponseRenderer`): return HTML
   * with `hiddenFields` in the form, or a full `{ status, headers, body }`.
   */
  setLoginRenderer(fn: LoginPageRenderer<DeviceVerificationParams>): this {
    this.interaction.renderLogin = checkCallback(fn, 'setLoginRenderer')
    return this
  }

  /** Renders the sign-in page after a failed attempt (the authorization endpoint's `setPOSTErrorRenderer`); default: `setLoginRenderer`'s. */
  setLoginErrorRenderer(fn: LoginPageRenderer<DeviceVerificationParams>): this {
    this.interaction.renderLoginError = checkCallback(fn, 'setLoginErrorRenderer')
    return this
  }

  /** Renders the page that asks for the user code; its form posts `user_code` with `hiddenFields`. */
  setCodePageRenderer(fn: DeviceCodePageRenderer): this {
    this.renderCodePage = checkCallback(fn, 'setCodePageRenderer')
    return this
  }

  /** Renders the page shown once the user approved or denied. */
  setDonePageRenderer(fn: DeviceDonePageRenderer): this {
    this.renderDonePage = checkCallback(fn, 'setDonePageRenderer')
    return this
  }

  /** @internal The page posts `user_code` itself, so a sign-in field may not take that name either. */
  protected override checkFieldName(name: string, what: string): string {
    if (name === 'user_code') throw new TypeError(`${what}: "user_code" is the name of the page's own user code field.`)
    return super.checkFieldName(name, what)
  }
}

/**
 * The device authorization grant (RFC 8628), complete: the device authorization endpoint
 * (`/oauth2/device_authorization`), the verification page the user visits (`/oauth2/device`), and
 * the `urn:ietf:params:oauth:grant-type:device_code` grant at the token endpoint with the polling
 * rules enforced (`authorization_pending`, `slow_down` with a growing interval, `access_denied`,
 * `expired_token`, single use).
 *
 * @example
 * ```ts
 * const provider = OAuth2DeviceAuthorizationBuilder.create()
 *   .setIssuer('https://auth.example.com')
 *   .addClientAuthenticationMethod('none')
 *   .setScopes({ profile: 'Your profile', offline_access: 'Stay signed in' })
 *   .setPollingInterval(5)
 *   .setDeviceCodeTtl(600)
 *   .build()
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc8628
 */
export class OAuth2DeviceAuthorizationBuilder extends RefreshableFlowBuilder<OAuth2DeviceAuthTokenParams> {
  /**
   * @internal Codes the core issued are answered by the core (polling rules, approval); codes of a
   * user's `generateCode` by the user's `generateToken`, as in kaapi.
   */
  protected get grant(): GrantDefinition<never> {
    return (this.deviceRoute.generator === undefined ? coreDeviceCodeGrant : deviceCodeGrant) as GrantDefinition<never>
  }
  /** @internal */ protected defaultStrategyName = 'oauth2-device-authorization'
  /** @internal */ protected readonly deviceRoute = new OAuth2DeviceAuthorizationRoute()
  /** @internal */ protected readonly verification = new DeviceVerificationRoute()
  /** @internal */ protected deviceCodeTtl = 600
  /** @internal */ protected pollingInterval = 5

  /**
   * Configures the device authorization endpoint (RFC 8628 §3.1).
   *
   * @example
   * ```ts
   * .authorizationRoute(route => route.setPath('/oauth2/devicecode'))
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
   */
  authorizationRoute(configure: (route: OAuth2DeviceAuthorizationRoute) => unknown): this {
    configure(this.deviceRoute)
    return this
  }

  /**
   * Configures the verification page (RFC 8628 §3.3, default `/oauth2/device`): sign-in and consent
   * callbacks, renderers, attempt limits. Served unless `generateCode` issues the codes.
   *
   * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
   */
  verificationRoute(configure: (route: DeviceVerificationRoute) => unknown): this {
    configure(this.verification)
    return this
  }

  /**
   * Lifetime of the device and user codes in seconds (RFC 8628 §3.2 `expires_in`). Default 600: long
   * enough to reach a phone and sign in, short enough to limit guessing (RFC 8628 §5.1).
   */
  setDeviceCodeTtl(seconds: number): this {
    this.deviceCodeTtl = wholeSeconds(seconds, 'setDeviceCodeTtl', 1)
    return this
  }

  /**
   * The minimum time between two polls, in seconds (RFC 8628 §3.2 `interval`). Default 5, the RFC's
   * default. A device that polls sooner gets `slow_down` and 5 more seconds (RFC 8628 §3.5).
   */
  setPollingInterval(seconds: number): this {
    this.pollingInterval = wholeSeconds(seconds, 'setPollingInterval', 1)
    return this
  }

  /** @internal */
  override toFlowConfig(): FlowConfig {
    const base = super.toFlowConfig()
    const route = this.deviceRoute
    if (route.generator !== undefined && this.tokenRouteConfig.handler === undefined) {
      throw new TypeError(
        `${this.constructor.name}: authorizationRoute(r => r.generateCode(fn)) issues codes the core does not know; ` +
          'add tokenRoute(r => r.generateToken(fn)) to answer them, or drop generateCode to let the core issue and verify the codes.',
      )
    }
    const device: DeviceAuthorizationConfig = {
      path: route.path,
      generateCode: route.generator,
      clientId: route.clientId,
      codeTtl: this.deviceCodeTtl,
      interval: this.pollingInterval,
      verification: route.generator === undefined ? this.verificationConfig() : undefined,
    }
    const verification = device.verification
    return {
      ...base,
      endpoints: [
        ...(base.endpoints ?? []),
        { path: device.path, create: (pathname, runtime, flow) => createDeviceAuthorizationEndpoint(pathname, flow, device, runtime) },
        ...(verification !== undefined
          ? [{ path: verification.path, create: (pathname: string, runtime: ProviderRuntime, flow: FlowConfig) => createDeviceVerificationEndpoint(pathname, flow, verification, runtime) }]
          : []),
      ],
    }
  }

  /** @internal A snapshot, so later builder calls do not change a built provider. */
  protected verificationConfig(): DeviceVerificationConfig {
    const v = this.verification
    return {
      path: v.path,
      verificationUri: v.verificationUri,
      limits: { ...v.limits },
      interaction: { ...v.interaction },
      renderCodePage: v.renderCodePage,
      renderDonePage: v.renderDonePage,
    }
  }
}

/** The device authorization grant with OpenID Connect: ID tokens and a JWKS. */
export class OIDCDeviceAuthorizationBuilder extends OAuth2DeviceAuthorizationBuilder {
  /** @internal */ protected override readonly oidc: boolean = true
}

function wholeSeconds(value: number, what: string, min: number): number {
  if (!(Number.isInteger(value) && value >= min)) throw new TypeError(`${what}: expected a whole number of seconds, at least ${min}.`)
  return value
}
