import type { EndpointRequest, ProviderRuntime } from '../endpoints/endpoint.js'
import { randomToken } from '../internal/random.js'
import { detach } from '../internal/retention.js'
import type { OAuth2Result } from '../types.js'
import { checkCsrf, ensureCsrfToken } from './csrf.js'
import { defaultConsentPage, defaultLoginPage } from './default-pages.js'
import { INTERACTION_FIELDS } from './fields.js'
import { html } from './html.js'
import { issueLoginTicket, redeemLoginTicket } from './login-ticket.js'
import { renderPage } from './page.js'
import type {
  AuthenticatedUser,
  ConsentDecision,
  InteractionOutcome,
  InteractionSettings,
  LoginPageContext,
  PendingInteraction,
  SignedInUser,
} from './types.js'

/** What {@link runInteraction} needs (see the contract in `interaction/index.ts`). */
export interface RunInteractionInput<TParams> {
  request: EndpointRequest
  /** The parsed POST body, or `undefined` for a GET. */
  form: Readonly<Record<string, string>> | undefined
  pending: PendingInteraction<TParams>
  settings: InteractionSettings<TParams>
  runtime: ProviderRuntime
  /**
   * The user the request names (OIDC Core §3.1.2.1 `id_token_hint`): a session of another user
   * does not count as signed in. Whoever then signs in on the page is accepted.
   */
  expectedSubject?: string
}

/** What a page shows besides the request: its status and, after a problem, an error. */
interface PageState {
  status: number
  error?: string
  errorMessage?: string
  /** The `value` of a `continue` result of `generateCode`. */
  value?: unknown
  /** Rendered after a failed POST: `renderLoginError` is preferred. */
  afterPost?: boolean
}

/**
 * Runs the sign-in and consent steps of a browser interaction, statelessly: every form posts the
 * request's own fields back, a signed login ticket carries the sign-in to the consent step, and a
 * double-submit cookie protects every form against CSRF. See the contract in `interaction/index.ts`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Authenticates
 * @see https://openid.net/specs/openid-connect-core-1_0.html#Consent
 */
export async function runInteraction<TParams>(input: RunInteractionInput<TParams>): Promise<InteractionOutcome> {
  const { request, form, pending, settings, runtime, expectedSubject } = input
  const { issuer } = runtime.config
  const prompt = new Set(pending.prompt ?? [])
  const step = form?.[INTERACTION_FIELDS.step]

  // Without authenticateUser (a custom sign-in page with findSession), a posted sign-in form is a first visit.
  if (form !== undefined && step === 'login' && settings.authenticateUser !== undefined) {
    if (!(await checkCsrf(request.headers, form, issuer))) return respond(await renderLoginPage(input, expiredForm(403)))
    const user = await settings.authenticateUser(
      {
        username: form[settings.usernameField] ?? '',
        password: form[settings.passwordField] ?? '',
        fields: form,
        client: pending.client,
        scopes: pending.scopes,
      },
      request.request,
    )
    if (user === null || user === undefined) {
      return respond(
        await renderLoginPage(input, {
          status: 401,
          error: 'access_denied',
          errorMessage: 'The username or password is incorrect.',
          afterPost: true,
        }),
      )
    }
    return consentStep(input, signedIn(user, runtime.config.now(), 'authenticateUser'), prompt)
  }

  if (form !== undefined && step === 'consent') {
    if (!(await checkCsrf(request.headers, form, issuer))) return respond(await renderLoginPage(input, expiredForm(403)))
    const csrfToken = form[INTERACTION_FIELDS.csrf]!
    const user = await redeemLoginTicket(runtime, form[INTERACTION_FIELDS.ticket], { carry: pending.carry, csrfToken })
    if (user === undefined) return respond(await renderLoginPage(input, expiredForm(400)))
    const decision = form[INTERACTION_FIELDS.decision]
    if (decision === 'deny') return { type: 'denied' }
    if (decision === 'allow') return { type: 'authorized', user, scopes: [...pending.scopes] }
    return respond(await renderConsentPage(input, user, { status: 400, error: 'invalid_request', errorMessage: 'Choose Allow or Deny.' }))
  }

  // A first visit (GET, or a POSTed authorization request).
  const found = settings.findSession !== undefined ? await settings.findSession(request.request) : undefined
  const current = found === null || found === undefined ? undefined : signedIn(found, runtime.config.now(), 'findSession')
  // OIDC Core §3.1.2.1: "If the End-User identified by the ID Token is logged in ... a positive
  // response; otherwise, it SHOULD return an error, such as login_required."
  const session = expectedSubject === undefined || current?.sub === expectedSubject ? current : undefined
  // OIDC Core §3.1.2.1 max_age: a sign-in older than max_age seconds must be repeated.
  const fresh =
    session !== undefined && (pending.maxAge === undefined || session.authTime + pending.maxAge >= Math.floor(runtime.config.now() / 1000))

  if (prompt.has('none')) {
    // OIDC Core §3.1.2.1: prompt=none MUST NOT display any page; answer with an error instead.
    if (session === undefined || !fresh) return { type: 'interaction_required', error: 'login_required' }
    const decision = await askConsent(input, session)
    if (decision === 'ask') return { type: 'interaction_required', error: 'consent_required' }
    return decision
  }
  if (session === undefined || !fresh || prompt.has('login') || prompt.has('select_account')) {
    return respond(await renderLoginPage(input, { status: 200 }))
  }
  return consentStep(input, session, prompt)
}

/**
 * Renders the sign-in page (the user's renderer, or the built-in form) with the hidden request
 * fields, a CSRF token and cookie, and the page security headers. Exported for endpoints whose own
 * callback handles the submission (kaapi's `generateCode` without `authenticateUser`).
 */
export async function renderLoginPage<TParams>(input: Omit<RunInteractionInput<TParams>, 'form'>, state: PageState): Promise<OAuth2Result> {
  const { request, pending, settings, runtime } = input
  const csrf = ensureCsrfToken(request.headers, runtime.config.issuer)
  const nonce = randomToken(16)
  const context: LoginPageContext = {
    statusCode: state.status,
    formAction: pending.formAction,
    hiddenFields: hiddenFields(pending.carry, { [INTERACTION_FIELDS.step]: 'login', [INTERACTION_FIELDS.csrf]: csrf.token }),
    csrfToken: csrf.token,
    cspNonce: nonce,
    client: pending.client,
    scopes: pending.scopes,
    scopeDescriptions: pending.scopeDescriptions,
    usernameField: settings.usernameField,
    passwordField: settings.passwordField,
    ...(state.error !== undefined ? { error: state.error } : {}),
    ...(state.errorMessage !== undefined ? { errorMessage: state.errorMessage } : {}),
    ...(pending.loginHint !== undefined ? { loginHint: pending.loginHint } : {}),
    ...(state.value !== undefined ? { value: state.value } : {}),
  }
  const renderer = (state.afterPost === true ? settings.renderLoginError : undefined) ?? settings.renderLogin
  const rendered = renderer !== undefined ? await renderer(context, pending.params, request.request) : defaultLoginPage(context)
  return renderPage(rendered, {
    status: state.status,
    nonce,
    setCookie: csrf.setCookie,
    ...(pending.formActionSources !== undefined ? { formActionSources: pending.formActionSources } : {}),
  })
}

async function consentStep<TParams>(input: RunInteractionInput<TParams>, user: SignedInUser, prompt: ReadonlySet<string>): Promise<InteractionOutcome> {
  // OIDC Core §3.1.2.1 prompt=consent: ask, whatever was granted before.
  const decision = prompt.has('consent') ? 'ask' : await askConsent(input, user)
  if (decision !== 'ask') return decision
  return respond(await renderConsentPage(input, user, { status: 200 }))
}

/** The consent callback's decision, as an outcome, or `'ask'` for the page. */
async function askConsent<TParams>(input: RunInteractionInput<TParams>, user: SignedInUser): Promise<InteractionOutcome | 'ask'> {
  const { settings, pending, request } = input
  if (settings.consent === undefined) return 'ask'
  const decision: ConsentDecision = await settings.consent({ user, client: pending.client, scopes: pending.scopes, request: request.request })
  if (decision === null || decision === undefined) return 'ask'
  if (decision === false) return { type: 'denied' }
  if (decision === true) return { type: 'authorized', user, scopes: [...pending.scopes] }
  if (Array.isArray(decision) && decision.every((s) => typeof s === 'string')) {
    const granted = new Set(decision)
    return { type: 'authorized', user, scopes: pending.scopes.filter((s) => granted.has(s)) }
  }
  throw new TypeError('The consent callback must return true, false, a list of granted scopes, or null to ask the user.')
}

async function renderConsentPage<TParams>(input: RunInteractionInput<TParams>, user: SignedInUser, state: PageState): Promise<OAuth2Result> {
  const { request, pending, settings, runtime } = input
  const csrf = ensureCsrfToken(request.headers, runtime.config.issuer)
  const nonce = randomToken(16)
  const ticket = await issueLoginTicket(runtime, user, { carry: pending.carry, csrfToken: csrf.token }, settings.ticketTtl)
  const context = {
    statusCode: state.status,
    formAction: pending.formAction,
    hiddenFields: hiddenFields(pending.carry, {
      [INTERACTION_FIELDS.step]: 'consent',
      [INTERACTION_FIELDS.csrf]: csrf.token,
      [INTERACTION_FIELDS.ticket]: ticket,
    }),
    csrfToken: csrf.token,
    cspNonce: nonce,
    client: pending.client,
    scopes: pending.scopes,
    scopeDescriptions: pending.scopeDescriptions,
    user,
    decisionField: INTERACTION_FIELDS.decision,
    ...(state.error !== undefined ? { error: state.error } : {}),
    ...(state.errorMessage !== undefined ? { errorMessage: state.errorMessage } : {}),
  }
  const rendered = settings.renderConsent !== undefined ? await settings.renderConsent(context, pending.params, request.request) : defaultConsentPage(context)
  return renderPage(rendered, {
    status: state.status,
    nonce,
    setCookie: csrf.setCookie,
    ...(pending.formActionSources !== undefined ? { formActionSources: pending.formActionSources } : {}),
  })
}

function hiddenFields(carry: Readonly<Record<string, string>>, interaction: Record<string, string>): string {
  const fields = [...Object.entries(carry), ...Object.entries(interaction)]
  return fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`).join('\n')
}

function expiredForm(status: number): PageState {
  return { status, error: 'invalid_request', errorMessage: 'This form has expired. Please sign in again.', afterPost: true }
}

function respond(result: OAuth2Result): InteractionOutcome {
  return { type: 'respond', result }
}

/** Checks what a callback returned for a user and fills `authTime` (now, in epoch seconds). */
function signedIn(user: AuthenticatedUser, now: number, what: string): SignedInUser {
  if (typeof user !== 'object' || user === null || typeof user.sub !== 'string' || user.sub === '' || user.sub.length > 255) {
    throw new TypeError(`${what} must return a user with a non-empty "sub" of at most 255 characters (OIDC Core §2), or null.`)
  }
  const authTime = user.authTime ?? Math.floor(now / 1000)
  if (!Number.isInteger(authTime) || authTime < 0) throw new TypeError(`${what} returned an authTime that is not whole epoch seconds.`)
  if (user.acr !== undefined && typeof user.acr !== 'string') throw new TypeError(`${what} returned an acr that is not a string.`)
  if (user.amr !== undefined && !(Array.isArray(user.amr) && user.amr.every((m) => typeof m === 'string'))) {
    throw new TypeError(`${what} returned an amr that is not a list of strings.`)
  }
  // What the user is known as goes into every code and token of the grant, for as long as its
  // refresh tokens live. A callback that answers with the submitted username answers a view on the
  // sign-in form, password included: each string kept is a copy of its own (internal/retention.ts).
  return {
    sub: detach(user.sub),
    authTime,
    ...(user.acr !== undefined ? { acr: detach(user.acr) } : {}),
    ...(user.amr !== undefined ? { amr: user.amr.map(detach) } : {}),
  }
}
