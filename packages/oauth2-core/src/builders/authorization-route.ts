import type {
  ErrorPageRenderer,
  FinalizeAuthorization,
  GenerateCode,
  OAuth2ACAuthorizationParams,
} from '../endpoints/authorization/types.js'
import type { LoginPageRenderer } from '../interaction/types.js'
import { InteractionRoute } from './interaction-route.js'
import { checkCallback, checkPath } from './routes.js'

/** The longest authorization code lifetime accepted (RFC 6749 §4.1.2: "A maximum ... of 10 minutes is RECOMMENDED"). */
const MAX_CODE_TTL = 600

/**
 * Configures the authorization endpoint of the authorization code flow (kaapi's
 * `authorizationRoute(route => ...)` route, `DefaultOAuth2ACAuthorizationRoute`).
 *
 * The user's part stays the user's: who the user is (`authenticateUser`, `findSession`), what they
 * agree to (`consent`), how pages look (the renderers), and optionally the codes themselves
 * (`generateCode`). The core validates the request, protects the forms, and issues and checks codes.
 *
 * @example
 * ```ts
 * .authorizationRoute(route => route
 *   .authenticateUser(async ({ username, password }) => (await users.check(username, password)) ? { sub: username, amr: ['pwd'] } : null)
 *   .consent(({ client }) => client.clientId === 'first-party-app' || null))
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export class OAuth2ACAuthorizationRoute extends InteractionRoute<OAuth2ACAuthorizationParams> {
  /** @internal */ path = '/oauth2/authorize'
  /** @internal */ clientId: string | undefined
  /** @internal */ redirectUri: string | undefined
  /** @internal */ generateCodeFn: GenerateCode | undefined
  /** @internal */ finalizeFn: FinalizeAuthorization | undefined
  /** @internal */ errorRenderer: ErrorPageRenderer | undefined
  /** @internal */ codeTtl = 60

  /** The endpoint path, relative to the issuer's path. Default `/oauth2/authorize`. */
  setPath(path: string): this {
    this.path = checkPath(path, 'authorizationRoute')
    return this
  }

  /** Renders the sign-in page (kaapi's name): return HTML, or a full `{ status, headers, body }`. */
  setGETResponseRenderer(fn: LoginPageRenderer<OAuth2ACAuthorizationParams>): this {
    this.interaction.renderLogin = checkCallback(fn, 'setGETResponseRenderer')
    return this
  }

  /** Renders the sign-in page after a failed POST (kaapi's name); default: the GET renderer. */
  setPOSTErrorRenderer(fn: LoginPageRenderer<OAuth2ACAuthorizationParams>): this {
    this.interaction.renderLoginError = checkCallback(fn, 'setPOSTErrorRenderer')
    return this
  }

  /** Renders the error page shown when the client cannot be redirected to (unknown client, bad redirect URI). */
  setErrorPageRenderer(fn: ErrorPageRenderer): this {
    this.errorRenderer = checkCallback(fn, 'setErrorPageRenderer')
    return this
  }

  /**
   * Issues the codes yourself (kaapi): `{ type: 'code', value }`, `{ type: 'continue' }` (the page
   * again), `{ type: 'deny' }` (`access_denied`) or `null` (wrong credentials: the page again, 401).
   * Without `authenticateUser` it runs on the sign-in form's POST and does the sign-in itself;
   * with it, it runs after sign-in and consent, with `params.user` and `params.grantedScopes`.
   * Your codes need your `tokenRoute(r => r.generateToken(fn))`.
   */
  generateCode(fn: GenerateCode): this {
    this.generateCodeFn = checkCallback(fn, 'generateCode')
    return this
  }

  /** Sends the response to the client yourself (kaapi): return a result, or `null` for the default redirect. */
  finalizeAuthorization(fn: FinalizeAuthorization): this {
    this.finalizeFn = checkCallback(fn, 'finalizeAuthorization')
    return this
  }

  /** The only client this endpoint serves (kaapi); with no `findClient`, required with `setRedirectUri`. `null` clears it. */
  setClientId(clientId: string | null): this {
    if (clientId !== null && (typeof clientId !== 'string' || clientId === '')) throw new TypeError('setClientId: expected a non-empty string or null.')
    this.clientId = clientId ?? undefined
    return this
  }

  /**
   * The redirect URI of the client (kaapi); with no `findClient`, required with `setClientId`. With
   * `findClient`, it narrows the client's registered ones to this one. `null` clears it.
   */
  setRedirectUri(uri: string | null): this {
    if (uri !== null) {
      let parsed: URL
      try {
        parsed = new URL(uri)
      } catch {
        throw new TypeError(`setRedirectUri: "${String(uri)}" is not an absolute URI.`)
      }
      if (parsed.hash !== '' || uri.includes('#')) throw new TypeError('setRedirectUri: a redirect URI must not have a fragment (RFC 6749 §3.1.2).')
    }
    this.redirectUri = uri ?? undefined
    return this
  }

  /** Lifetime of the core's authorization codes, seconds (default 60, at most 600: RFC 6749 §4.1.2). */
  setCodeTtl(seconds: number): this {
    if (!(Number.isInteger(seconds) && seconds > 0 && seconds <= MAX_CODE_TTL)) {
      throw new TypeError(`setCodeTtl: expected a whole number of seconds from 1 to ${MAX_CODE_TTL} (RFC 6749 §4.1.2).`)
    }
    this.codeTtl = seconds
    return this
  }

  /** How long the consent page stays valid after sign-in, seconds (default 300). */
  setLoginTicketTtl(seconds: number): this {
    if (!(Number.isInteger(seconds) && seconds > 0 && seconds <= 3600)) throw new TypeError('setLoginTicketTtl: expected a whole number of seconds from 1 to 3600.')
    this.interaction.ticketTtl = seconds
    return this
  }
}
