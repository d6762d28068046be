/**
 * The user's part of a browser flow: sign-in, then consent. Used by the authorization endpoint
 * (RFC 6749 §4.1.1) and by the device flow's verification page (RFC 8628 §3.3).
 *
 * CONTRACT (for endpoint authors)
 *
 * ```ts
 * const outcome = await runInteraction({ request, form, pending, settings, runtime })
 * ```
 * - `request`: the {@link EndpointRequest}. `form`: the parsed POST body (`parseForm`), or
 *   `undefined` for a GET. A POST whose `oauth2_step` field is absent is a first visit, like a GET.
 * - `pending` ({@link PendingInteraction}): what the user is asked to authorize: the client, the
 *   requested scopes (+ descriptions), `params` handed to renderers, `carry` (the request's own
 *   fields, re-posted as hidden inputs by every form: the interaction keeps no server state),
 *   `formAction` (the endpoint URL), and optional `prompt`, `maxAge`, `loginHint`,
 *   `formActionSources` (origins a post-submit redirect may go to; the CSP `form-action`).
 * - `settings` ({@link InteractionSettings}): the builder's callbacks (`authenticateUser`,
 *   `findSession`, `consent`, renderers) and `usernameField` / `passwordField` / `ticketTtl`.
 *   Without `authenticateUser`, a posted sign-in form counts as a first visit: the sign-in then
 *   happens elsewhere (your renderer links to your own sign-in page) and `findSession` finds it.
 * - `runtime`: the {@link ProviderRuntime} (keys sign the login ticket, the store makes it single use).
 *
 * It resolves to an {@link InteractionOutcome}; it throws only for a callback's own exception or a
 * callback returning something invalid (both a 500 through the provider):
 * - `{ type: 'respond', result }`: send `result` unchanged. It is an HTML page with
 *   `Content-Security-Policy` (`frame-ancestors 'none'`), `X-Frame-Options: DENY`,
 *   `Cache-Control: no-store`, `Referrer-Policy: no-referrer` and the CSRF cookie.
 * - `{ type: 'authorized', user, scopes }`: signed in (`user.sub`, `authTime`, `acr`, `amr`) and
 *   granted `scopes`: issue what the user authorized.
 * - `{ type: 'denied' }`: the user refused: answer `access_denied`.
 * - `{ type: 'interaction_required', error }`: `prompt=none` could not be honoured:
 *   answer `login_required` or `consent_required` (OIDC Core §3.1.2.6).
 *
 * Steps: first visit -> a session (`findSession`) skips the sign-in page unless `prompt=login` /
 * `select_account` or `max_age` is exceeded -> POST `oauth2_step=login` (CSRF checked, then
 * `authenticateUser`; `null` shows the form again, 401) -> consent: the `consent` callback decides,
 * or the consent page is shown (always with `prompt=consent`) carrying a short-lived login ticket
 * (a JWT signed with the provider's keys, bound to `carry` and the CSRF cookie) -> POST
 * `oauth2_step=consent` with `oauth2_decision=allow|deny` (CSRF and ticket checked, the ticket is
 * single use).
 *
 * CSRF: double-submit. A random token in a `__Host-oauth2_csrf` cookie (`oauth2_csrf` when the
 * issuer is plain http on localhost, where `Secure` cookies may be refused), HttpOnly,
 * SameSite=Lax, and the same token in the `oauth2_csrf` hidden field; compared in constant time.
 *
 * Lower-level pieces for endpoints with pages of their own (the device flow's user-code page, the
 * authorization endpoint's error page): {@link renderPage}, {@link htmlPage}, {@link html},
 * {@link escapeHtml}, {@link ensureCsrfToken}, {@link checkCsrf}, {@link renderLoginPage}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12 (CSRF)
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.16 (clickjacking)
 * @module
 */

export type {
  AuthenticateUser,
  AuthenticatedUser,
  ConsentDecision,
  ConsentPageContext,
  ConsentPageRenderer,
  ConsentRequest,
  FindSession,
  GetConsent,
  InteractionClient,
  InteractionOutcome,
  InteractionSettings,
  LoginPageContext,
  LoginPageRenderer,
  PageContext,
  PageRenderResult,
  PendingInteraction,
  SignedInUser,
  UserCredentials,
} from './types.js'
export { runInteraction, renderLoginPage, type RunInteractionInput } from './run-interaction.js'
export { INTERACTION_FIELDS } from './fields.js'
export { checkCsrf, csrfCookieName, ensureCsrfToken, type CsrfToken } from './csrf.js'
export { escapeHtml, html, rawHtml, SafeHtml } from './html.js'
export { htmlPage, renderPage, PAGE_SECURITY_HEADERS, type HtmlPageOptions } from './page.js'
export { defaultErrorPage, defaultFormPostPage } from './default-pages.js'
