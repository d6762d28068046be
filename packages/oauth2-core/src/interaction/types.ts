import type { ClientMetadata } from '../client-auth/client-metadata.js'
import type { OAuth2Request, OAuth2Result } from '../types.js'

/**
 * The user an `authenticateUser` callback (or a session) vouches for.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken (`auth_time`, `acr`, `amr`)
 */
export interface AuthenticatedUser {
  /** The subject identifier (OIDC Core §2): stable, never reassigned, at most 255 ASCII characters. */
  sub: string
  /** When the user authenticated, epoch seconds. Default: now (the moment the form was accepted). */
  authTime?: number
  /** Authentication Context Class Reference reached (OIDC Core §2), e.g. `'urn:mace:incommon:iap:silver'`. */
  acr?: string
  /** Authentication methods used (RFC 8176), e.g. `['pwd']` or `['pwd', 'otp']`. */
  amr?: string[]
}

/** A user whose authentication time is known (what a finished interaction yields). */
export interface SignedInUser extends AuthenticatedUser {
  authTime: number
}

/** The client a user is asked to authorize, as the pages show it. */
export interface InteractionClient {
  clientId: string
  /** `client_name` of the registration (RFC 7591 §2), when known. */
  clientName?: string
  /** The registered metadata, when a client lookup is configured. */
  metadata?: ClientMetadata
}

/** What `authenticateUser` receives: the submitted sign-in form. */
export interface UserCredentials {
  /** The value of the username field (`setUsernameField`, default `username`); `''` when absent. */
  username: string
  /** The value of the password field (`setPasswordField`, default `password`); `''` when absent. */
  password: string
  /** Every field of the submitted form, for extra inputs of a custom page (a one-time code, ...). */
  fields: Readonly<Record<string, string>>
  client: InteractionClient
  /** The scopes the client asked for. */
  scopes: readonly string[]
}

/**
 * Checks the credentials of the sign-in form: the user, or `null` when they are wrong (the form is
 * shown again with a 401 and `access_denied`). A throw becomes a 500 `server_error`.
 */
export type AuthenticateUser = (
  credentials: UserCredentials,
  request: OAuth2Request,
) => Promise<AuthenticatedUser | null | undefined> | AuthenticatedUser | null | undefined

/**
 * Finds the user's existing session (your own cookie, say): with one, the sign-in form is skipped
 * unless `prompt=login` or `max_age` asks for a fresh sign-in. The core keeps no session itself.
 */
export type FindSession = (request: OAuth2Request) => Promise<SignedInUser | null | undefined> | SignedInUser | null | undefined

/** What a consent callback is asked. */
export interface ConsentRequest {
  user: SignedInUser
  client: InteractionClient
  /** The requested scopes. */
  scopes: readonly string[]
  request: OAuth2Request
}

/**
 * A consent decision: `true` grants every requested scope without asking, a list grants those
 * (a subset of the requested ones; others are ignored), `false` denies (`access_denied`), and
 * `null` / `undefined` asks the user with the consent page.
 */
export type ConsentDecision = boolean | readonly string[] | null | undefined

/** Decides consent without a page (first-party clients, remembered consent), or defers to the page. */
export type GetConsent = (consent: ConsentRequest) => Promise<ConsentDecision> | ConsentDecision

/** What every page renderer receives. */
export interface PageContext {
  /** The HTTP status the page is sent with (200, 400, 401, 403). */
  statusCode: number
  /** Where the page's form must POST to. */
  formAction: string
  /**
   * Hidden inputs (ready, escaped HTML) your `<form>` must contain: the request being authorized,
   * the CSRF token and the step. Without them the submission is refused.
   */
  hiddenFields: string
  /** The CSRF token (already inside `hiddenFields`). */
  csrfToken: string
  /** A CSP nonce for an inline `<style nonce>` or `<script nonce>` of your page. */
  cspNonce: string
  client: InteractionClient
  /** The requested scopes. */
  scopes: readonly string[]
  /** Descriptions of the declared scopes (`setScopes`). */
  scopeDescriptions: Readonly<Record<string, string>>
  /** An error code for the page to explain, e.g. `'access_denied'` after wrong credentials. */
  error?: string
  /** A human message for the error. */
  errorMessage?: string
}

/** What the sign-in page renderer receives (kaapi's renderer context, plus ours). */
export interface LoginPageContext extends PageContext {
  /** The name of the username input. */
  usernameField: string
  /** The name of the password input. */
  passwordField: string
  /** The `login_hint` of the request (OIDC Core §3.1.2.1), to prefill the username. */
  loginHint?: string
  /** The `value` of a `{ type: 'continue', value }` returned by `generateCode`. */
  value?: unknown
}

/** What the consent page renderer receives. */
export interface ConsentPageContext extends PageContext {
  user: SignedInUser
  /** The name of the decision input: submit `allow` or `deny` in it. */
  decisionField: string
}

/**
 * What a renderer returns: an HTML string (sent with the core's security headers) or a full
 * result. Either way the core adds its security headers where missing, always sends
 * `X-Frame-Options: DENY` and `Cache-Control: no-store`, and sets the CSRF cookie.
 */
export type PageRenderResult = string | OAuth2Result

/** Renders the sign-in page (kaapi's `setGETResponseRenderer` / `setPOSTErrorRenderer`). */
export type LoginPageRenderer<TParams> = (
  context: LoginPageContext,
  params: TParams,
  request: OAuth2Request,
) => Promise<PageRenderResult> | PageRenderResult

/** Renders the consent page. */
export type ConsentPageRenderer<TParams> = (
  context: ConsentPageContext,
  params: TParams,
  request: OAuth2Request,
) => Promise<PageRenderResult> | PageRenderResult

/** The callbacks and settings of the login and consent steps, as a builder collects them. */
export interface InteractionSettings<TParams> {
  authenticateUser: AuthenticateUser | undefined
  findSession: FindSession | undefined
  consent: GetConsent | undefined
  /** The sign-in page (default: the built-in form). */
  renderLogin: LoginPageRenderer<TParams> | undefined
  /** The sign-in page after a failed POST (default: `renderLogin`, else the built-in form). */
  renderLoginError: LoginPageRenderer<TParams> | undefined
  /** The consent page (default: the built-in page). */
  renderConsent: ConsentPageRenderer<TParams> | undefined
  usernameField: string
  passwordField: string
  /** Lifetime of the signed login ticket carried from sign-in to consent, seconds. */
  ticketTtl: number
}

/** The request a user is asked to authorize, as the endpoint running the interaction describes it. */
export interface PendingInteraction<TParams> {
  /** Passed to renderers as `params` (the authorization parameters, or the device request). */
  params: TParams
  client: InteractionClient
  /** The requested scopes. */
  scopes: readonly string[]
  scopeDescriptions: Readonly<Record<string, string>>
  /**
   * The request's own fields, posted back with every form as hidden inputs, so the interaction
   * needs no server-side state. The login ticket is bound to them: changing one voids it.
   */
  carry: Readonly<Record<string, string>>
  /** The URL the forms POST to (the endpoint itself). */
  formAction: string
  /**
   * Origins the browser may be sent to after a form submission (CSP `form-action` also applies to
   * the redirect that follows a POST): the client's redirect URI origin at the authorization endpoint.
   */
  formActionSources?: readonly string[]
  /** OIDC `prompt` values (OIDC Core §3.1.2.1): `none`, `login`, `consent`, `select_account`. */
  prompt?: readonly string[]
  /** OIDC `max_age`, seconds: a session older than this needs a fresh sign-in. */
  maxAge?: number
  /** OIDC `login_hint`, shown prefilled. */
  loginHint?: string
}

/**
 * What {@link runInteraction} decided:
 * - `respond`: send `result` (a page: sign-in, consent, or the sign-in again after an error);
 * - `authorized`: the user signed in and granted `scopes` (a subset of the requested ones);
 * - `denied`: the user refused (the endpoint answers `access_denied`);
 * - `interaction_required`: `prompt=none`, but a sign-in (`login_required`) or a consent
 *   (`consent_required`) would be needed (OIDC Core §3.1.2.6).
 */
export type InteractionOutcome =
  | { type: 'respond'; result: OAuth2Result }
  | { type: 'authorized'; user: SignedInUser; scopes: string[] }
  | { type: 'denied' }
  | { type: 'interaction_required'; error: 'login_required' | 'consent_required' }
