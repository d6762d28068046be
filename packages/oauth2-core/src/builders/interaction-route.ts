import type { AuthenticateUser, ConsentPageRenderer, FindSession, GetConsent, InteractionSettings } from '../interaction/types.js'
import { checkCallback } from './routes.js'

/**
 * What every route with a user interaction (sign-in, then consent) configures alike: the
 * authorization endpoint of the authorization code flow (RFC 6749 §4.1.1, `authorizationRoute`) and
 * the device flow's verification page (RFC 8628 §3.3, `verificationRoute`). The user's part stays the
 * user's: who the user is (`authenticateUser`, `findSession`), what they agree to (`consent`), how
 * the pages look; the core runs the steps and protects the forms (CSRF, signed login ticket).
 *
 * @typeParam TParams - the `params` the route's renderers receive
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.3
 */
export abstract class InteractionRoute<TParams> {
  /** @internal The callbacks and form settings the interaction runs with (snapshotted at `build()`). */
  readonly interaction: InteractionSettings<TParams> = {
    authenticateUser: undefined,
    findSession: undefined,
    consent: undefined,
    renderLogin: undefined,
    renderLoginError: undefined,
    renderConsent: undefined,
    usernameField: 'username',
    passwordField: 'password',
    ticketTtl: 300,
  }

  /**
   * Checks the sign-in form's credentials: returns the user (`{ sub, acr?, amr?, authTime? }`) or
   * `null` for wrong credentials (the form again, 401). Enables the built-in sign-in and consent steps.
   */
  authenticateUser(fn: AuthenticateUser): this {
    this.interaction.authenticateUser = checkCallback(fn, 'authenticateUser')
    return this
  }

  /**
   * Finds the user's existing session (your own cookie): with one, the sign-in form is skipped,
   * and `prompt=none` can succeed. The core keeps no session itself.
   */
  findSession(fn: FindSession): this {
    this.interaction.findSession = checkCallback(fn, 'findSession')
    return this
  }

  /**
   * Decides consent without the consent page: `true` (grant all), a list of granted scopes,
   * `false` (deny), or `null` (show the page). Without it, the consent page is always shown.
   */
  consent(fn: GetConsent): this {
    this.interaction.consent = checkCallback(fn, 'consent')
    return this
  }

  /** Renders the consent page; its form submits `oauth2_decision=allow|deny` with `hiddenFields`. */
  setConsentRenderer(fn: ConsentPageRenderer<TParams>): this {
    this.interaction.renderConsent = checkCallback(fn, 'setConsentRenderer')
    return this
  }

  /** The name of the username input of the sign-in form (default `username`). */
  setUsernameField(name: string): this {
    this.interaction.usernameField = this.checkFieldName(name, 'setUsernameField')
    return this
  }

  /** The name of the password input of the sign-in form (default `password`). */
  setPasswordField(name: string): this {
    this.interaction.passwordField = this.checkFieldName(name, 'setPasswordField')
    return this
  }

  /**
   * @internal A sign-in field name: 1 to 64 letters, digits, `_ . -`, and none of the interaction's
   * own `oauth2_` fields. A route whose pages post fields of their own refuses those too.
   */
  protected checkFieldName(name: string, what: string): string {
    if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name.startsWith('oauth2_')) {
      throw new TypeError(`${what}: "${String(name)}" must be 1 to 64 letters, digits, _ . - and not start with oauth2_.`)
    }
    return name
  }
}
