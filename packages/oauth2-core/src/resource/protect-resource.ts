import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { errorToResult, NO_STORE_HEADERS } from '../errors/to-result.js'
import { isFormContentType } from '../internal/form.js'
import { headerLookup, type HeaderLookup } from '../internal/headers.js'
import { SCOPE_PATTERN } from '../schemas/common.js'
import { validateAccessToken, type ValidAccessToken } from '../tokens/validate-access-token.js'
import type { OAuth2RequestHeaders, OAuth2Result } from '../types.js'
import { bearerToken, namesBearerScheme } from './bearer-credentials.js'

/**
 * What the resource-server check reads from a request. Only `headers` is required: the token is
 * taken from `Authorization: Bearer`. `url` and `body`, when given, are only looked at to refuse a
 * token sent in a second place (RFC 6750 §2).
 */
export interface ResourceRequest {
  /** The request headers. */
  headers: OAuth2RequestHeaders
  /** The request URL (absolute, or path + query): an `access_token` query parameter is detected (RFC 6750 §2.3). */
  url?: string | undefined
  /** The raw form body, if the caller has it: an `access_token` form parameter is detected (RFC 6750 §2.2). */
  body?: string | URLSearchParams | null | undefined
}

/** Options of {@link OAuth2Provider.authenticateResourceRequest}. */
export interface AuthenticateResourceOptions {
  /** Scopes the access token must all carry; otherwise 403 `insufficient_scope` (RFC 6750 §3.1). */
  scopes?: readonly string[] | undefined
}

/**
 * The outcome of a resource-server check: the verified token, or the complete RFC 6750 §3 error
 * response (status, `WWW-Authenticate` challenge, JSON body) to send as it is.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export type ResourceAuthentication = { ok: true; token: ValidAccessToken } | ({ ok: false } & OAuth2Result)


/**
 * Authenticates a request to a protected resource by its Bearer access token (RFC 6750) and checks
 * the scopes it needs. The token itself is checked by `validateAccessToken` (signature, audience,
 * expiry, and the store record that revocation removes).
 *
 * - no Bearer credentials: 401 with a bare `Bearer realm` challenge, no error code (§3.1);
 * - a malformed header, or the token in more than one place: 400 `invalid_request` (§2, §3.1);
 * - an invalid, expired or revoked token: 401 `invalid_token` (§3.1);
 * - a missing scope: 403 `insufficient_scope` with the needed `scope` (§3, §3.1).
 *
 * Throws a `TypeError` only for a bad `options.scopes` (a configuration mistake).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export async function authenticateResourceRequest(
  request: ResourceRequest,
  options: AuthenticateResourceOptions,
  runtime: ProviderRuntime,
): Promise<ResourceAuthentication> {
  const required = requiredScopes(options.scopes)
  const realm = runtime.config.issuer.replace(/["\\]/g, '')
  const headers = headerLookup(request?.headers)
  const authorization = headers.get('authorization')
  const inHeader = namesBearerScheme(authorization)
  const inQuery = hasQueryToken(request?.url, runtime.config.issuer)
  const inBody = hasFormToken(request?.body, headers)

  // RFC 6750 §2: clients MUST NOT use more than one method to transmit the token in each request.
  if ([inHeader, inQuery, inBody].filter(Boolean).length > 1) {
    return challenge(realm, 'invalid_request', 'The access token was sent in more than one way; send it only in the Authorization header.')
  }
  if (inQuery || inBody) {
    // RFC 6750 §2.2, §2.3: optional methods; this server accepts the header field only (§2.3 SHOULD NOT).
    return challenge(realm, 'invalid_request', 'Send the access token in the Authorization header; query and form parameters are not accepted.')
  }
  // RFC 6750 §3.1: a request without authentication information gets no error code.
  if (!inHeader) return { ok: false, status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}"`, ...NO_STORE_HEADERS }, body: '' }

  const token = bearerToken(authorization!)
  if (token === undefined) {
    return challenge(realm, 'invalid_request', 'The Authorization header is not a valid Bearer credential.')
  }
  const valid = await validateAccessToken(token, runtime)
  if (valid === undefined) return challenge(realm, 'invalid_token', 'The access token is invalid, expired or revoked.')

  const granted = new Set(valid.scope)
  const missing = required.filter((scope) => !granted.has(scope))
  if (missing.length > 0) {
    return challenge(realm, 'insufficient_scope', 'The access token does not carry the scope this resource requires.', required.join(' '))
  }
  return { ok: true, token: valid }
}

/** The RFC 6750 §3 error response: the challenge names the error, the body repeats it as JSON. */
function challenge(realm: string, code: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string, scope?: string): ResourceAuthentication {
  let header = `Bearer realm="${realm}", error="${code}", error_description="${description}"`
  if (scope !== undefined) header += `, scope="${scope}"`
  return { ok: false, ...errorToResult(new OAuth2Error(code, description, { headers: { 'www-authenticate': header } })) }
}

/** The scopes a resource requires; each must be an RFC 6749 §3.3 scope-token. */
function requiredScopes(scopes: readonly string[] | undefined): readonly string[] {
  if (scopes === undefined) return []
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && SCOPE_PATTERN.test(s) && !s.includes(' '))) {
    throw new TypeError('authenticateResourceRequest: scopes must be an array of scope tokens, e.g. ["read", "write"] (RFC 6749 §3.3).')
  }
  return scopes
}

function hasQueryToken(url: string | undefined, issuer: string): boolean {
  if (typeof url !== 'string') return false
  try {
    return new URL(url, issuer).searchParams.has('access_token')
  } catch {
    return false
  }
}

function hasFormToken(body: string | URLSearchParams | null | undefined, headers: HeaderLookup): boolean {
  if (body === undefined || body === null || !isFormContentType(headers.get('content-type'))) return false
  return (typeof body === 'string' ? new URLSearchParams(body) : body).has('access_token')
}
