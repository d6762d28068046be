import type { FlowConfig } from '../config.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { reportError } from '../errors/report-error.js'
import type { AuthorizationCodeEntry } from '../grants/authorization-code.js'
import { checkCsrf } from '../interaction/csrf.js'
import { INTERACTION_FIELDS } from '../interaction/fields.js'
import { formActionSource } from '../interaction/page.js'
import { renderLoginPage, runInteraction } from '../interaction/run-interaction.js'
import type { PendingInteraction, SignedInUser } from '../interaction/types.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { sha256 } from '../internal/hash.js'
import { detach } from '../internal/retention.js'
import { randomToken } from '../internal/random.js'
import { VSCHAR_PATTERN } from '../schemas/common.js'
import { SIGNING_ALGORITHMS } from '../tokens/key-store.js'
import type { OAuth2Result } from '../types.js'
import { errorPage, FinalizeAuthorizationFailed, respondToClient, type AuthorizationResult } from './authorization/response.js'
import { validateAuthorizationRequest, type RedirectTarget, type ValidAuthorizationRequest } from './authorization/request.js'
import type { AuthCodeResult, AuthorizationEndpointSettings, OAuth2ACAuthorizationParams } from './authorization/types.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'

/** The claims the core can put in an ID token (OIDC Discovery `claims_supported`). */
export const ID_TOKEN_CLAIMS = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'at_hash'] as const

/**
 * The authorization endpoint (RFC 6749 §3.1, §4.1.1), GET and POST (OIDC Core §3.1.2.1).
 *
 * 1. Validates the request (see `authorization/request.ts`): an unknown client or an unregistered
 *    redirect URI gets an error page, never a redirect; other errors are redirected with `state` and
 *    `iss`.
 * 2. Runs the user's part: the sign-in and consent steps of `interaction/` (with `authenticateUser`),
 *    or kaapi's `generateCode` on the sign-in form's POST (without it).
 * 3. Sends the code: the user's from `generateCode`, or one the core issues (256 bits, single use,
 *    valid `codeTtl` seconds, stored under its SHA-256 hash with the client, redirect URI, PKCE
 *    challenge, nonce, scope, user and auth_time it is bound to).
 *
 * Anything that throws after step 1 (a callback, the store) is answered by the redirect
 * `error=server_error` (RFC 6749 §4.1.2.1) and reported to `onError`; before it, by the provider's 500.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthorizationEndpoint
 */
export function createAuthorizationEndpoint(pathname: string, flow: FlowConfig, settings: AuthorizationEndpointSettings, runtime: ProviderRuntime): Endpoint {
  const { config } = runtime
  const { interaction } = settings
  if (config.findClient === undefined && (settings.clientId === undefined || settings.redirectUri === undefined)) {
    throw new TypeError(
      'authorizationRoute needs a client lookup to check redirect URIs: configure findClient(fn), or name the one client with ' +
        'authorizationRoute(r => r.setClientId(id).setRedirectUri(uri)). Redirecting to an unchecked redirect_uri would make this server an open redirector (RFC 9700 §4.1.3).',
    )
  }
  if (interaction.authenticateUser === undefined && settings.generateCode === undefined && !(interaction.findSession !== undefined && interaction.renderLogin !== undefined)) {
    throw new TypeError(
      'authorizationRoute needs a way to sign users in: authorizationRoute(r => r.authenticateUser(async ({ username, password }) => user | null)) ' +
        'for the built-in sign-in form, or generateCode(fn) to handle the form yourself (kaapi).',
    )
  }
  const endpointUrl = runtime.endpointUrl(settings.path)

  return {
    pathname,
    methods: ['GET', 'POST'],
    noStore: true,
    metadata: () => ({
      authorization_endpoint: endpointUrl,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'form_post'],
      code_challenge_methods_supported: settings.pkce.allowPlain ? ['S256', 'plain'] : ['S256'],
      // RFC 9207 §3: the iss parameter is in every authorization response.
      authorization_response_iss_parameter_supported: true,
      ...(flow.oidc
        ? {
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
            claims_supported: [...ID_TOKEN_CLAIMS],
            prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
            // OIDC Discovery §3: request_uri_parameter_supported defaults to true; it is not.
            request_parameter_supported: false,
            request_uri_parameter_supported: false,
            claims_parameter_supported: false,
          }
        : {}),
    }),
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      let raw: Record<string, string>
      let form: Record<string, string> | undefined
      try {
        if (req.method === 'POST') {
          // OIDC Core §3.1.2.1: a POSTed request is form-serialized.
          if (!isFormContentType(req.headers.get('content-type'))) {
            return await errorPage(req, 400, 'invalid_request', 'The request must be sent as application/x-www-form-urlencoded.', settings)
          }
          form = parseForm(req.request.body, config.limits)
          raw = form
        } else {
          raw = parseForm(req.url.searchParams, config.limits)
        }
      } catch (error) {
        // Duplicated parameters (RFC 6749 §3.1): nothing in the request can be trusted to redirect to.
        if (error instanceof OAuth2Error) return errorPage(req, error.status === 413 ? 413 : 400, error.error, error.description ?? error.error, settings)
        throw error
      }

      const validation = await validateAuthorizationRequest(raw, flow, settings, runtime)
      if (validation.type === 'page') return errorPage(req, validation.status, validation.error, validation.description, settings)
      if (validation.type === 'redirect') {
        return respondToClient(req, validation.target, { type: 'error', error: validation.error, errorDescription: validation.description }, config.issuer, settings, undefined)
      }
      const { target, request } = validation
      try {
        return await answer(target, request)
      } catch (thrown) {
        // RFC 6749 §4.1.2.1: the redirect target is known good from here on, so a failure goes back to
        // the client, with state and iss, instead of leaving the user on a JSON 500: server_error exists
        // "because a 500 ... cannot be returned to the client via an HTTP redirect". As in handle(), a
        // protocol error (temporarily_unavailable included) is answered as itself, anything else is
        // reported to onError and never sent.
        const finalizeFailed = thrown instanceof FinalizeAuthorizationFailed
        const error = finalizeFailed ? thrown.cause : thrown
        if (!(error instanceof OAuth2Error)) reportError(config.onError, error, req.request)
        const result: AuthorizationResult =
          error instanceof OAuth2Error
            ? { type: 'error', error: error.error, ...(error.description !== undefined ? { errorDescription: error.description } : {}) }
            : { type: 'error', error: 'server_error', errorDescription: 'The authorization server encountered an unexpected condition.' }
        // finalizeAuthorization sends every answer after validation, this one too, unless it is what
        // failed: then the plain redirect, and so if it fails on this answer as well.
        if (!finalizeFailed) {
          try {
            return await respondToClient(req, target, result, config.issuer, settings, request.params)
          } catch (again) {
            const cause = again instanceof FinalizeAuthorizationFailed ? again.cause : again
            if (!(cause instanceof OAuth2Error)) reportError(config.onError, cause, req.request)
          }
        }
        return respondToClient(req, target, result, config.issuer, settings, undefined)
      }

      /** Steps 2 and 3, for a request that passed validation. */
      async function answer(target: RedirectTarget, request: ValidAuthorizationRequest): Promise<OAuth2Result> {
        const send = (result: Parameters<typeof respondToClient>[2]) => respondToClient(req, target, result, config.issuer, settings, request.params)
        const source = formActionSource(target.redirectUri)
        const pending: PendingInteraction<OAuth2ACAuthorizationParams> = {
          params: request.params,
          client: {
            clientId: request.params.clientId,
            ...(typeof request.client?.client_name === 'string' ? { clientName: request.client.client_name } : {}),
            ...(request.client !== undefined ? { metadata: request.client } : {}),
          },
          scopes: request.params.scopes,
          scopeDescriptions: flow.scopes,
          carry: request.carry,
          formAction: endpointUrl,
          ...(source !== undefined ? { formActionSources: [source] } : {}),
          ...(request.params.prompt !== undefined ? { prompt: request.params.prompt } : {}),
          ...(request.params.maxAge !== undefined ? { maxAge: request.params.maxAge } : {}),
          ...(request.params.loginHint !== undefined ? { loginHint: request.params.loginHint } : {}),
        }
        const interactionInput = {
          request: req,
          pending,
          settings: interaction,
          runtime,
          ...(request.params.idTokenHintSubject !== undefined ? { expectedSubject: request.params.idTokenHintSubject } : {}),
        }

        // kaapi: generateCode alone handles the sign-in form's POST itself.
        if (interaction.authenticateUser === undefined && settings.generateCode !== undefined) {
          if (request.params.prompt?.includes('none') === true) return send({ type: 'error', error: 'login_required', errorDescription: 'The user must sign in.' })
          if (form === undefined || form[INTERACTION_FIELDS.step] !== 'login') return renderLoginPage(interactionInput, { status: 200 })
          if (!(await checkCsrf(req.headers, form, config.issuer))) {
            return renderLoginPage(interactionInput, { status: 403, error: 'invalid_request', errorMessage: 'This form has expired. Please sign in again.', afterPost: true })
          }
          return answerGenerateCode(await settings.generateCode(request.params, req.request))
        }

        const outcome = await runInteraction({ ...interactionInput, form })
        switch (outcome.type) {
          case 'respond':
            return outcome.result
          case 'denied':
            return send({ type: 'deny' })
          case 'interaction_required':
            // OIDC Core §3.1.2.6.
            return send({
              type: 'error',
              error: outcome.error,
              errorDescription: outcome.error === 'login_required' ? 'The user must sign in.' : 'The user must consent.',
            })
          case 'authorized':
            if (settings.generateCode !== undefined) {
              return answerGenerateCode(await settings.generateCode({ ...request.params, user: outcome.user, grantedScopes: outcome.scopes }, req.request))
            }
            return send({ type: 'code', value: await issueCode(request, target, outcome.user, outcome.scopes, flow, settings, runtime) })
        }

        async function answerGenerateCode(result: AuthCodeResult | null | undefined): Promise<OAuth2Result> {
          if (result === null || result === undefined) {
            // kaapi: null means the credentials were wrong: the form again, 401.
            return renderLoginPage(interactionInput, { status: 401, error: 'access_denied', errorMessage: 'The username or password is incorrect.', afterPost: true })
          }
          switch (result.type) {
            case 'code':
              if (typeof result.value !== 'string' || result.value === '' || result.value.length > 4096 || !VSCHAR_PATTERN.test(result.value)) {
                throw new TypeError('generateCode returned a code that is not a non-empty string of printable ASCII (RFC 6749 Appendix A.11).')
              }
              return send({ type: 'code', value: result.value })
            case 'deny':
              return send({ type: 'deny', value: result.value })
            case 'continue':
              return renderLoginPage(interactionInput, { status: 200, value: result.value })
            default:
              throw new TypeError("generateCode must return { type: 'code' | 'continue' | 'deny' } or null.")
          }
        }
      }
    },
  }
}

/**
 * Issues a core authorization code: 256 random bits (RFC 6749 §10.10), stored under its SHA-256 hash
 * (a store dump reveals no usable code) for `codeTtl` seconds (RFC 6749 §4.1.2: short-lived, at
 * most 10 minutes recommended), single use, bound to what the token request must match.
 */
async function issueCode(
  request: ValidAuthorizationRequest,
  target: RedirectTarget,
  user: SignedInUser,
  scopes: string[],
  flow: FlowConfig,
  settings: AuthorizationEndpointSettings,
  runtime: ProviderRuntime,
): Promise<string> {
  const { params } = request
  const now = runtime.config.now()
  const code = randomToken(32)
  // The request's values are read from the sign-in form when the code follows it, and that form
  // holds the user's password: the entry keeps copies of their own (internal/retention.ts).
  const entry: AuthorizationCodeEntry = {
    grantId: randomToken(16),
    clientId: detach(params.clientId),
    flow: flow.name,
    redirectUri: detach(target.redirectUri),
    redirectUriGiven: request.redirectUriGiven,
    scope: scopes,
    sub: user.sub,
    authTime: user.authTime,
    issuedAt: now,
    codeExpiresAt: now + settings.codeTtl * 1000,
    ...(params.codeChallenge !== undefined ? { codeChallenge: detach(params.codeChallenge) } : {}),
    ...(params.codeChallengeMethod !== undefined ? { codeChallengeMethod: params.codeChallengeMethod } : {}),
    ...(params.nonce !== undefined ? { nonce: detach(params.nonce) } : {}),
    ...(user.acr !== undefined ? { acr: user.acr } : {}),
    ...(user.amr !== undefined ? { amr: user.amr } : {}),
  }
  // Kept past its expiry for as long as an access token of its first use can live: a replay in that
  // time is still recognized as one, and revokes those tokens (RFC 6749 §4.1.2).
  await runtime.config.store.set('authorization_code', sha256(code), entry, now + (settings.codeTtl + flow.tokenTtl) * 1000)
  return code
}

