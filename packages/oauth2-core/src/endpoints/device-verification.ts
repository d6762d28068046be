import type { FlowConfig } from '../config.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { checkCsrf, ensureCsrfToken } from '../interaction/csrf.js'
import { layout } from '../interaction/default-pages.js'
import { INTERACTION_FIELDS } from '../interaction/fields.js'
import { html, rawHtml } from '../interaction/html.js'
import { renderPage } from '../interaction/page.js'
import { runInteraction } from '../interaction/run-interaction.js'
import type { InteractionClient, InteractionSettings, PageRenderResult, SignedInUser } from '../interaction/types.js'
import { getDeviceCode, retainUntil, userCodeId as toUserCodeId, type DeviceCodeEntry } from '../internal/device-records.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { sha256 } from '../internal/hash.js'
import { randomToken } from '../internal/random.js'
import { fixedWindow, isExhausted, takeAttempt, type AttemptCounter } from '../internal/rate-limit.js'
import { formatUserCode, normalizeUserCode } from '../internal/user-code.js'
import type { OAuth2Request, OAuth2Result } from '../types.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'

/** The name of the user code field, in the query (`verification_uri_complete`) and in the form. */
export const USER_CODE_FIELD = 'user_code'

/**
 * What the sign-in and consent renderers of the verification page receive as `params`: the device
 * request the user is approving.
 */
export interface DeviceVerificationParams {
  /** The user code, as shown on the device (`XXXX-XXXX`). */
  userCode: string
  clientId: string
  /** The requested scope tokens. */
  scopes: string[]
}

/**
 * Brute-force limits of the verification page (RFC 8628 §5.1). Attempts are counted in the store
 * (kind `rate_limit`), so they hold across instances that share it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-5.1
 */
export interface DeviceAttemptLimits {
  /**
   * Submissions one user code accepts (entering it, each sign-in attempt, the consent): beyond
   * that the code is burnt (the device gets `access_denied`). Default 10.
   */
  perUserCode: number
  /**
   * Code submissions and failed sign-ins accepted from one client address per window; beyond that
   * the address gets 429 until the window ends. Needs `OAuth2Request.clientAddress`, which the
   * adapters fill. Default 20 (one device approval submits one code).
   */
  perClientAddress: number
  /** The per-address window, seconds. Default 900. */
  windowSeconds: number
}

/** What the user-code page renderer receives. */
export interface DeviceCodePageContext {
  /** The HTTP status the page is sent with (200, 400, 403, 429). */
  statusCode: number
  /** Where the form must POST to. */
  formAction: string
  /** Hidden inputs (ready, escaped HTML) the form must contain: the CSRF token. */
  hiddenFields: string
  csrfToken: string
  /** A CSP nonce for an inline `<style nonce>` or `<script nonce>`. */
  cspNonce: string
  /** The name of the code input (`user_code`). */
  userCodeField: string
  /** What to prefill the input with: the code of `verification_uri_complete`, or what was typed. */
  userCode: string
  /** `invalid_request` (CSRF, malformed), `invalid_grant` (unknown or expired code), `slow_down` (too many attempts). */
  error?: string
  errorMessage?: string
}

/** What the last page receives, once the user approved or denied. */
export interface DeviceDonePageContext {
  statusCode: number
  cspNonce: string
  /** `true` when the user approved the device. */
  approved: boolean
  client: InteractionClient
  /** The granted scopes (none when denied). */
  scopes: readonly string[]
}

/** Renders the user-code page: an HTML string, or a full result. */
export type DeviceCodePageRenderer = (context: DeviceCodePageContext, request: OAuth2Request) => Promise<PageRenderResult> | PageRenderResult

/** Renders the page shown after the decision: an HTML string, or a full result. */
export type DeviceDonePageRenderer = (context: DeviceDonePageContext, request: OAuth2Request) => Promise<PageRenderResult> | PageRenderResult

/** The verification page's configuration, as the builder resolves it (the engine's input). */
export interface DeviceVerificationConfig {
  /** The page's path, relative to the issuer's path. */
  path: string
  /** The `verification_uri` announced to devices; the page's own URL when undefined. */
  verificationUri: string | undefined
  limits: DeviceAttemptLimits
  interaction: InteractionSettings<DeviceVerificationParams>
  renderCodePage: DeviceCodePageRenderer | undefined
  renderDonePage: DeviceDonePageRenderer | undefined
}

/** A live, undecided device authorization found by its user code. */
interface FoundCode {
  normalized: string
  userCodeId: string
  deviceCodeId: string
  entry: DeviceCodeEntry
}

/**
 * The verification page (RFC 8628 §3.3): GET shows a form asking for the user code (prefilled from
 * `verification_uri_complete`, §3.3.1, but always to be confirmed by the user, §5.4); POST checks
 * the code, then runs the same sign-in and consent steps as the authorization endpoint
 * (`src/interaction/`), and records the approval or the denial the device's next poll sees.
 *
 * Every page is HTML-escaped, CSRF-protected (double-submit cookie), never framed or cached; user
 * codes are limited per code and per client address (§5.1).
 */
export function createDeviceVerificationEndpoint(pathname: string, flow: FlowConfig, verification: DeviceVerificationConfig, runtime: ProviderRuntime): Endpoint {
  const { config } = runtime
  const formAction = runtime.endpointUrl(verification.path)
  const { limits } = verification

  async function codePage(req: EndpointRequest, status: number, userCode: string, error?: { error: string; message: string }): Promise<OAuth2Result> {
    const csrf = ensureCsrfToken(req.headers, config.issuer)
    const nonce = randomToken(16)
    const context: DeviceCodePageContext = {
      statusCode: status,
      formAction,
      hiddenFields: html`<input type="hidden" name="${INTERACTION_FIELDS.csrf}" value="${csrf.token}">`.toString(),
      csrfToken: csrf.token,
      cspNonce: nonce,
      userCodeField: USER_CODE_FIELD,
      userCode,
      ...(error !== undefined ? { error: error.error, errorMessage: error.message } : {}),
    }
    const rendered = verification.renderCodePage !== undefined ? await verification.renderCodePage(context, req.request) : defaultCodePage(context)
    return renderPage(rendered, { status, nonce, setCookie: csrf.setCookie })
  }

  async function donePage(req: EndpointRequest, approved: boolean, client: InteractionClient, scopes: readonly string[]): Promise<OAuth2Result> {
    const nonce = randomToken(16)
    const context: DeviceDonePageContext = { statusCode: 200, cspNonce: nonce, approved, client, scopes }
    const rendered = verification.renderDonePage !== undefined ? await verification.renderDonePage(context, req.request) : defaultDonePage(context)
    return renderPage(rendered, { status: 200, nonce })
  }

  /** The per-address counter of failed attempts, when the adapter told us the address. */
  async function addressCounter(req: EndpointRequest): Promise<AttemptCounter | undefined> {
    const address = req.request.clientAddress
    if (typeof address !== 'string' || address === '') return undefined
    const window = fixedWindow(config.now(), limits.windowSeconds * 1000)
    return { id: `device_verify_addr:${sha256(address)}:${window.index}`, limit: limits.perClientAddress, expiresAt: window.end }
  }

  /**
   * The id of the pass a browser (its CSRF token, which checkCsrf has just matched with its cookie)
   * earns for a code by a counted submission that found it; `undefined` for text that is no code.
   */
  function codePassId(csrfToken: string, input: string | undefined): string | undefined {
    const normalized = normalizeUserCode(input)
    return normalized === undefined ? undefined : `device_verify_pass:${sha256(`${csrfToken} ${normalized}`)}`
  }

  /** The live, undecided authorization a typed code names, or `undefined`. */
  async function findCode(input: string | undefined): Promise<FoundCode | undefined> {
    const normalized = normalizeUserCode(input)
    if (normalized === undefined) return undefined
    const id = toUserCodeId(normalized)
    const pointer = await config.store.get('user_code', id)
    // A consumed user code is one the user already decided on.
    if (pointer === undefined || pointer.consumedAt !== undefined || typeof pointer['deviceCodeId'] !== 'string') return undefined
    const entry = await getDeviceCode(config.store, pointer['deviceCodeId'])
    if (entry === undefined || entry.status !== 'pending' || entry.consumedAt !== undefined || entry.userCodeId !== id) return undefined
    if (config.now() >= entry.expiresAt) return undefined
    return { normalized, userCodeId: id, deviceCodeId: pointer['deviceCodeId'], entry }
  }

  /**
   * Records the user's decision. Consuming the user code is the atomic claim: of two decisions
   * racing (two tabs, two people), exactly one is recorded. The device code entry is then rewritten
   * only here; polls never write it (their state is a separate entry), so nothing can undo this.
   */
  async function decide(found: FoundCode, decision: { approved: true; user: SignedInUser; scopes: string[] } | { approved: false }): Promise<boolean> {
    const claimed = await config.store.consume('user_code', found.userCodeId)
    if (claimed === undefined || claimed.consumedAt !== undefined) return false
    const entry = await getDeviceCode(config.store, found.deviceCodeId)
    if (entry === undefined || entry.status !== 'pending' || config.now() >= entry.expiresAt) return false
    const decided: DeviceCodeEntry = decision.approved
      ? {
          ...entry,
          status: 'approved',
          scope: decision.scopes,
          sub: decision.user.sub,
          authTime: decision.user.authTime,
          ...(decision.user.acr !== undefined ? { acr: decision.user.acr } : {}),
          ...(decision.user.amr !== undefined ? { amr: decision.user.amr } : {}),
          decidedAt: config.now(),
        }
      : { ...entry, status: 'denied', decidedAt: config.now() }
    await config.store.set('device_code', found.deviceCodeId, decided, retainUntil(entry))
    return true
  }

  async function interactionClient(clientId: string): Promise<InteractionClient> {
    const metadata = config.findClient !== undefined ? ((await config.findClient(clientId)) ?? undefined) : undefined
    return {
      clientId,
      ...(typeof metadata?.client_name === 'string' ? { clientName: metadata.client_name } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    }
  }

  return {
    pathname,
    methods: ['GET', 'POST'],
    noStore: true,
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      if (req.method === 'GET') {
        // RFC 8628 §3.3.1: verification_uri_complete carries the code; show it for the user to confirm (§5.4).
        const prefill = req.url.searchParams.get(USER_CODE_FIELD) ?? ''
        return codePage(req, 200, prefill.slice(0, 64))
      }

      let form: Record<string, string>
      try {
        if (!isFormContentType(req.headers.get('content-type'))) throw new OAuth2Error('invalid_request', 'not a form')
        form = parseForm(req.request.body, config.limits)
      } catch (error) {
        if (!(error instanceof OAuth2Error)) throw error
        // A body over the request limits is 413, as at every endpoint (schemas/limits.ts); the page all the same.
        return codePage(req, error.status === 413 ? 413 : 400, '', { error: 'invalid_request', message: 'The form could not be read. Please try again.' })
      }
      const { interaction } = verification
      if (interaction.authenticateUser === undefined && interaction.findSession === undefined) {
        throw new TypeError(
          'The device verification page needs a way to sign users in: configure verificationRoute(r => r.authenticateUser(fn)) (or findSession).',
        )
      }
      const typed = (form[USER_CODE_FIELD] ?? '').slice(0, 64)
      if (!(await checkCsrf(req.headers, form, config.issuer))) {
        return codePage(req, 403, typed, { error: 'invalid_request', message: 'This form has expired. Please enter the code again.' })
      }

      // RFC 8628 §5.1: every code submission counts against the address before the code is looked
      // up, so a burst of parallel guesses gets no more answers than the limit. The later steps
      // (sign-in, consent) post the code again; they go uncounted (unless they fail) only with a
      // pass this browser earned at the code step for this very code. Any other submission, whatever
      // its step field says, is a guess and counts: a step field alone must not buy free lookups.
      const byAddress = await addressCounter(req)
      const pass = byAddress === undefined ? undefined : codePassId(form[INTERACTION_FIELDS.csrf]!, form[USER_CODE_FIELD])
      const passed = pass !== undefined && form[INTERACTION_FIELDS.step] !== undefined && (await config.store.get('rate_limit', pass)) !== undefined
      const allowed =
        byAddress === undefined || (passed ? !(await isExhausted(config.store, byAddress)) : await takeAttempt(config.store, byAddress))
      if (!allowed) {
        return codePage(req, 429, typed, { error: 'slow_down', message: 'Too many attempts. Please wait a few minutes and try again.' })
      }
      const found = await findCode(form[USER_CODE_FIELD])
      if (found === undefined) {
        return codePage(req, 400, typed, {
          error: 'invalid_grant',
          message: 'That code is not valid or has expired. Check the code shown on your device and try again.',
        })
      }
      // RFC 8628 §5.1: each code takes a bounded number of submissions; then it is burnt.
      const byCode: AttemptCounter = { id: `device_verify_code:${found.userCodeId}`, limit: limits.perUserCode, expiresAt: found.entry.expiresAt }
      if (!(await takeAttempt(config.store, byCode))) {
        await decide(found, { approved: false })
        return codePage(req, 429, '', {
          error: 'slow_down',
          message: 'Too many attempts with this code. Start again on your device to get a new code.',
        })
      }

      // A counted submission that found its code: this browser's later steps for it go uncounted.
      if (pass !== undefined && !passed) await config.store.set('rate_limit', pass, {}, found.entry.expiresAt)

      const client = await interactionClient(found.entry.clientId)
      const outcome = await runInteraction<DeviceVerificationParams>({
        request: req,
        form,
        pending: {
          params: { userCode: formatUserCode(found.normalized), clientId: found.entry.clientId, scopes: [...found.entry.scope] },
          client,
          scopes: found.entry.scope,
          scopeDescriptions: flow.scopes,
          // The code is all the page needs to remember: every form posts it back (the interaction is stateless).
          carry: { [USER_CODE_FIELD]: found.normalized },
          formAction,
        },
        settings: interaction,
        runtime,
      })
      switch (outcome.type) {
        case 'respond':
          // A wrong password under a valid code counts against the address too.
          if (outcome.result.status === 401 && byAddress !== undefined) await takeAttempt(config.store, byAddress)
          return outcome.result
        case 'authorized':
          if (!(await decide(found, { approved: true, user: outcome.user, scopes: outcome.scopes }))) return alreadyDecided(req)
          return donePage(req, true, client, outcome.scopes)
        case 'denied':
          if (!(await decide(found, { approved: false }))) return alreadyDecided(req)
          return donePage(req, false, client, [])
        default:
          // Only an OIDC prompt=none yields this, and the verification page never sends one.
          throw new Error(`Unexpected interaction outcome ${outcome.type} on the device verification page.`)
      }
    },
  }

  function alreadyDecided(req: EndpointRequest): Promise<OAuth2Result> {
    return codePage(req, 400, '', { error: 'invalid_grant', message: 'This code has already been used. Start again on your device if needed.' })
  }
}

/** The built-in user-code page. */
export function defaultCodePage(ctx: DeviceCodePageContext): string {
  return layout(
    'Connect a device',
    ctx.cspNonce,
    html`<h1>Connect a device</h1>
<p>Enter the code shown on your device. Only continue if you started this on a device you own.</p>
${ctx.errorMessage !== undefined ? html`<p class="error" role="alert">${ctx.errorMessage}</p>` : undefined}
<form method="post" action="${ctx.formAction}">
${rawHtml(ctx.hiddenFields)}
<label for="user_code">Code</label>
<input type="text" id="user_code" name="${ctx.userCodeField}" value="${ctx.userCode}" placeholder="XXXX-XXXX" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="64" required autofocus>
<button type="submit">Continue</button>
</form>`,
  ).toString()
}

/** The built-in page shown once the user decided. */
export function defaultDonePage(ctx: DeviceDonePageContext): string {
  const name = ctx.client.clientName ?? ctx.client.clientId
  return layout(
    ctx.approved ? 'Device connected' : 'Access denied',
    ctx.cspNonce,
    ctx.approved
      ? html`<h1>Device connected</h1><p><strong>${name}</strong> is now connected. You can return to your device.</p>`
      : html`<h1>Access denied</h1><p><strong>${name}</strong> was not given access. You can close this page.</p>`,
  ).toString()
}
