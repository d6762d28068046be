import * as v from 'valibot'
import type { ClientAuthMethodName, ClientMetadata } from '../../client-auth/client-metadata.js'
import type { FlowConfig } from '../../config.js'
import type { CodeChallengeMethod } from '../../internal/pkce.js'
import { authorizationRequestSchema, clientIdSchema, redirectUriSchema, stateSchema } from '../../schemas/authorization-request.js'
import { scopeTokens } from '../../schemas/common.js'
import type { ProviderRuntime } from '../endpoint.js'
import { SIGNING_ALGORITHMS } from '../../tokens/key-store.js'
import { idTokenAlgorithm } from '../../tokens/issue-tokens.js'
import { checkScope } from '../token.js'
import { verifyIdTokenHint } from './id-token-hint.js'
import { matchesRegisteredRedirectUri } from './redirect-uri.js'
import type { AuthorizationEndpointSettings, OAuth2ACAuthorizationParams, ResponseMode } from './types.js'

/** The parameters carried through the sign-in and consent forms (and bound into the login ticket). */
const CARRIED = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'id_token_hint',
  'response_mode',
] as const

/** OIDC Core §3.1.2.1 prompt values. */
const PROMPT_VALUES = new Set(['none', 'login', 'consent', 'select_account'])

/** A request that passed every check. */
export interface ValidAuthorizationRequest {
  params: OAuth2ACAuthorizationParams
  /** The request's own parameters, as sent, for the hidden form fields. */
  carry: Record<string, string>
  /** Whether `redirect_uri` was in the request (the token request must then repeat it). */
  redirectUriGiven: boolean
  client: ClientMetadata | undefined
}

/** Where an error that may be redirected goes (the client and its redirect URI are known good). */
export interface RedirectTarget {
  redirectUri: string
  responseMode: ResponseMode
  state: string | undefined
}

/**
 * The outcome of validating an authorization request:
 * - `page`: the client or the redirect URI is missing, unknown or wrong: an error page, never a
 *   redirect (RFC 6749 §4.1.2.1, RFC 9700 §4.1.3: no open redirector);
 * - `redirect`: any other error, sent back to the client (RFC 6749 §4.1.2.1);
 * - `valid`.
 */
export type AuthorizationRequestValidation =
  | { type: 'page'; status: number; error: string; description: string }
  | { type: 'redirect'; target: RedirectTarget; error: string; description: string }
  | { type: 'valid'; target: RedirectTarget; request: ValidAuthorizationRequest }

/**
 * Validates an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1–2) in the
 * order RFC 6749 §4.1.2.1 requires: first the client and its redirect URI (errors there are shown,
 * not redirected), then everything else (errors redirected with `state`).
 */
export async function validateAuthorizationRequest(
  raw: Record<string, string>,
  flow: FlowConfig,
  settings: AuthorizationEndpointSettings,
  runtime: ProviderRuntime,
): Promise<AuthorizationRequestValidation> {
  const { config } = runtime
  // 1. client_id: missing, malformed or unknown -> error page.
  const clientIdResult = v.safeParse(clientIdSchema, raw['client_id'])
  if (!clientIdResult.success) return page(400, 'invalid_request', clientIdResult.issues[0].message)
  const clientId = clientIdResult.output
  let client: ClientMetadata | undefined
  let registered: readonly string[]
  if (settings.clientId !== undefined && clientId !== settings.clientId) return page(400, 'invalid_client', 'The client is not known.')
  if (config.findClient !== undefined) {
    client = (await config.findClient(clientId)) ?? undefined
    if (client === undefined) return page(400, 'invalid_client', 'The client is not known.')
    registered = Array.isArray(client.redirect_uris) ? client.redirect_uris.filter((u): u is string => typeof u === 'string') : []
    if (settings.redirectUri !== undefined) registered = registered.filter((u) => u === settings.redirectUri)
  } else {
    registered = settings.redirectUri !== undefined ? [settings.redirectUri] : []
  }

  // 2. redirect_uri: exact match against the registration (RFC 9700 §4.1.3) -> error page otherwise.
  let redirectUri: string
  const redirectUriGiven = raw['redirect_uri'] !== undefined
  if (redirectUriGiven) {
    const parsed = v.safeParse(redirectUriSchema, raw['redirect_uri'])
    if (!parsed.success) return page(400, 'invalid_request', parsed.issues[0].message)
    if (!matchesRegisteredRedirectUri(parsed.output, registered)) {
      return page(400, 'invalid_request', 'The redirect_uri is not registered for this client.')
    }
    redirectUri = parsed.output
  } else {
    // RFC 6749 §3.1.2.3: optional only when exactly one redirect URI is registered. OIDC Core
    // §3.1.2.1 makes it REQUIRED in an OpenID request, and RFC 6749 §4.1.2.1 forbids redirecting a
    // request that fails for a missing redirection URI: an error page, even with one registered.
    if (registered.length !== 1 || scopeTokens(raw['scope']).includes('openid')) return page(400, 'invalid_request', 'Missing required parameter: redirect_uri.')
    redirectUri = registered[0]!
  }

  // From here on, errors go back to the client.
  const responseModeRaw = raw['response_mode']
  const responseMode: ResponseMode = responseModeRaw === 'form_post' ? 'form_post' : 'query'
  const stateResult = raw['state'] === undefined ? undefined : v.safeParse(stateSchema, raw['state'])
  const state = stateResult?.success === true ? stateResult.output : undefined
  const target: RedirectTarget = { redirectUri, responseMode, state }
  const fail = (error: string, description: string): AuthorizationRequestValidation => ({ type: 'redirect', target, error, description })

  if (responseModeRaw !== undefined && responseModeRaw !== 'query' && responseModeRaw !== 'form_post') {
    return fail('invalid_request', 'The response_mode is not supported; use query or form_post.')
  }
  if (stateResult !== undefined && !stateResult.success) return fail('invalid_request', stateResult.issues[0].message)
  const parsed = v.safeParse(authorizationRequestSchema, raw)
  if (!parsed.success) return fail('invalid_request', parsed.issues[0].message)
  const p = parsed.output
  // OIDC Core §6.1, §6.2: request objects are not supported; say so with the dedicated codes.
  if (p.request !== undefined) return fail('request_not_supported', 'The request parameter is not supported.')
  if (p.request_uri !== undefined) return fail('request_uri_not_supported', 'The request_uri parameter is not supported.')
  if (p.response_type === undefined) return fail('invalid_request', 'Missing required parameter: response_type.')
  if (p.response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.')
  // RFC 7591 §2: response_types defaults to ["code"], grant_types to ["authorization_code"].
  if (client !== undefined && !(client.response_types ?? ['code']).includes('code')) {
    return fail('unauthorized_client', 'The client is not registered for response_type=code.')
  }
  if (client !== undefined && !(client.grant_types ?? ['authorization_code']).includes('authorization_code')) {
    return fail('unauthorized_client', 'The client is not registered for the authorization_code grant.')
  }
  // RFC 6749 §4.1.3: the code is redeemed at this flow's token endpoint, which authenticates the
  // client with a method the flow allows (RFC 7591 §2: client_secret_basic when none is registered).
  // A client registered for another method could never redeem it: refused now, before the user
  // signs in for nothing (a public client needs addClientAuthenticationMethod('none') or withPkce()).
  const method = client === undefined ? undefined : (client.token_endpoint_auth_method ?? 'client_secret_basic')
  if (method !== undefined && !flow.authMethods.has(method as ClientAuthMethodName)) {
    return fail('unauthorized_client', "The client's token endpoint authentication method is not accepted for this flow.")
  }

  const scopes = scopeTokens(p.scope)
  try {
    checkScope(scopes, flow, client?.scope)
  } catch (error) {
    const e = error as { error?: string; description?: string }
    return fail(e.error ?? 'invalid_scope', e.description ?? 'The requested scope is invalid.')
  }
  // OIDC Core §3.1.3.7: the ID token will be signed with the client's registered algorithm; one this
  // provider does not sign with is refused now, before a code is issued that could not be redeemed.
  const openid = scopes.includes('openid')
  if (openid && (flow.oidc || 'openid' in flow.scopes) && !signsIdTokensFor(client)) {
    return fail('unauthorized_client', `The client registered an id_token_signed_response_alg this provider does not sign with (${SIGNING_ALGORITHMS.join(', ')}).`)
  }

  // PKCE (RFC 7636 §4.3, §4.4.1; RFC 9700 §2.1.1).
  let codeChallengeMethod: CodeChallengeMethod | undefined
  if (p.code_challenge === undefined) {
    if (p.code_challenge_method !== undefined) return fail('invalid_request', 'code_challenge_method was sent without code_challenge.')
    // A client without a client lookup cannot be known to be confidential: it is treated as public.
    const isPublic = client === undefined || client.token_endpoint_auth_method === 'none'
    if (isPublic || settings.pkce.requiredForConfidentialClients) {
      return fail('invalid_request', 'PKCE is required: send code_challenge and code_challenge_method=S256 (RFC 7636).')
    }
  } else {
    // RFC 7636 §4.3: the method defaults to "plain" when absent.
    const method = p.code_challenge_method ?? 'plain'
    if (method !== 'S256' && method !== 'plain') return fail('invalid_request', 'The code_challenge_method is not supported; use S256.')
    if (method === 'plain' && !settings.pkce.allowPlain) {
      return fail('invalid_request', 'code_challenge_method=plain is not allowed; use S256 (RFC 9700 §2.1.1).')
    }
    codeChallengeMethod = method
  }

  // OIDC Core §3.1.2.1: prompt=none with any other value is an error.
  const prompt = p.prompt === undefined ? undefined : [...new Set(p.prompt.split(' '))]
  if (prompt !== undefined) {
    const unknown = prompt.filter((value) => !PROMPT_VALUES.has(value))
    if (unknown.length > 0) return fail('invalid_request', `Unsupported prompt value: ${unknown.join(' ')}.`)
    if (prompt.includes('none') && prompt.length > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values.')
  }
  const maxAge = p.max_age === undefined ? undefined : Number(p.max_age)
  // OIDC Core §3.1.2.1 id_token_hint: an ID token this provider issued to this client (last: it is
  // the one check that verifies a signature). Outside an OpenID request it is an unknown parameter.
  let idTokenHintSubject: string | undefined
  if (openid && raw['id_token_hint'] !== undefined) {
    idTokenHintSubject = await verifyIdTokenHint(raw['id_token_hint'], clientId, runtime)
    if (idTokenHintSubject === undefined) return fail('invalid_request', 'The id_token_hint is not an ID token this provider issued to this client.')
  }

  const params: OAuth2ACAuthorizationParams = {
    clientId,
    responseType: 'code',
    redirectUri,
    scopes,
    responseMode,
    ...(p.scope !== undefined ? { scope: p.scope } : {}),
    ...(state !== undefined ? { state } : {}),
    ...(p.code_challenge !== undefined ? { codeChallenge: p.code_challenge } : {}),
    ...(codeChallengeMethod !== undefined ? { codeChallengeMethod } : {}),
    ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
    ...(prompt !== undefined ? { prompt } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(p.login_hint !== undefined ? { loginHint: p.login_hint } : {}),
    ...(idTokenHintSubject !== undefined ? { idTokenHintSubject } : {}),
    ...(client !== undefined ? { client } : {}),
  }
  const carry: Record<string, string> = {}
  for (const name of CARRIED) if (raw[name] !== undefined) carry[name] = raw[name]!
  return { type: 'valid', target, request: { params, carry, redirectUriGiven, client } }
}

/** Whether the provider signs with the client's registered `id_token_signed_response_alg` (RS256 when none). */
function signsIdTokensFor(client: ClientMetadata | undefined): boolean {
  try {
    return (SIGNING_ALGORITHMS as readonly string[]).includes(idTokenAlgorithm(client?.id_token_signed_response_alg))
  } catch {
    return false
  }
}

function page(status: number, error: string, description: string): AuthorizationRequestValidation {
  return { type: 'page', status, error, description }
}
