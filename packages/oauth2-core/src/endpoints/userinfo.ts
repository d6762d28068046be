import { OAuth2Error } from '../errors/oauth2-error.js'
import { BODY_TOO_LARGE, jsonResult, NO_STORE_HEADERS } from '../errors/to-result.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { bearerToken, namesBearerScheme } from '../resource/bearer-credentials.js'
import { checkBodyLength, type RequestLimits } from '../schemas/limits.js'
import { validateAccessToken } from '../tokens/validate-access-token.js'
import type { OAuth2Request, OAuth2Result } from '../types.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'

/**
 * The claims each standard scope releases (OpenID Connect Core §5.4).
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ScopeClaims
 */
export const STANDARD_SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
})

/** What the UserInfo callback receives besides the subject and the scopes. */
export interface UserInfoContext {
  /** The client the access token was issued to. */
  clientId: string
  request: OAuth2Request
}

/**
 * Returns the user's claims (OIDC Core §5.1), or `null` when the user no longer exists (the token
 * is then answered as `invalid_token`). Return every claim you have: the endpoint releases only
 * those the token's scopes allow (OIDC Core §5.4), and `sub` is always the token's.
 */
export type GetUserInfo = (
  sub: string,
  scopes: readonly string[],
  context: UserInfoContext,
) => Promise<Record<string, unknown> | null | undefined> | Record<string, unknown> | null | undefined

/** The userinfo endpoint's configuration, as the builder collects it. */
export interface UserInfoSettings {
  /** Path relative to the issuer's path. */
  path: string
  getClaims: GetUserInfo | undefined
  /** Scope -> claims it releases: the standard ones, plus those of `setScopeClaims`. */
  scopeClaims: Readonly<Record<string, readonly string[]>>
}

/**
 * The UserInfo endpoint (OIDC Core §5.3), GET and POST. The access token comes as an RFC 6750
 * Bearer token in the `Authorization` header, or (POST) in the form body (RFC 6750 §2.2), never in
 * both; it must be one this provider issued and still honours, and carry the `openid` scope.
 * The answer is `sub` plus the callback's claims that the token's scopes release (OIDC Core §5.4).
 *
 * Errors (RFC 6750 §3): no token, 401 with a bare `WWW-Authenticate: Bearer realm` challenge; a
 * malformed request, 400 `invalid_request`; an unknown, expired or revoked token (or a user that no
 * longer exists), 401 `invalid_token`; a token without `openid`, 403 `insufficient_scope`.
 *
 * @see https://openid.net/specs/openid-connect-core-1_0.html#UserInfo
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function createUserInfoEndpoint(pathname: string, settings: UserInfoSettings, runtime: ProviderRuntime): Endpoint {
  const realm = runtime.config.issuer.replace(/["\\]/g, '')
  const claimsSupported = ['sub', ...new Set(Object.values(settings.scopeClaims).flat())]
  const bearerError = (code: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string, scope?: string, status?: number): OAuth2Error => {
    let challenge = `Bearer realm="${realm}", error="${code}", error_description="${description.replace(/["\\]/g, "'")}"`
    if (scope !== undefined) challenge += `, scope="${scope}"`
    return new OAuth2Error(code, description, { headers: { 'www-authenticate': challenge }, ...(status !== undefined ? { status } : {}) })
  }
  // Own properties only: a scope named like an Object.prototype member (toString, __proto__) releases
  // what is mapped to it, never an inherited value.
  const scopeClaims = new Map(Object.entries(settings.scopeClaims))

  return {
    pathname,
    methods: ['GET', 'POST'],
    noStore: true,
    metadata: () => ({ userinfo_endpoint: runtime.endpointUrl(settings.path), claims_supported: claimsSupported }),
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      const authorization = req.headers.get('authorization')
      const inHeader = namesBearerScheme(authorization)
      let bodyToken: string | undefined
      if (req.method === 'POST' && isFormContentType(req.headers.get('content-type'))) {
        try {
          bodyToken = readBodyToken(req.request.body, inHeader, runtime.config.limits)
        } catch (error) {
          // RFC 6750 §3: a refusal of the body (a repeated parameter, over the size limit) is an
          // invalid_request like any other malformed request here, with its challenge.
          if (error instanceof OAuth2Error) throw bearerError('invalid_request', error.description ?? 'The request body is malformed.', undefined, error.status)
          throw error
        }
      }
      // RFC 6750 §2.3: the URI query method is not supported (it leaks into logs and Referer).
      if (req.url.searchParams.has('access_token')) {
        throw bearerError('invalid_request', 'Send the access token in the Authorization header, not in the URL.')
      }
      // RFC 6750 §2: "Clients MUST NOT use more than one method to transmit the token in each request."
      if (inHeader && bodyToken !== undefined) throw bearerError('invalid_request', 'The access token was sent in more than one way.')
      let token: string
      if (inHeader) {
        const fromHeader = bearerToken(authorization!)
        if (fromHeader === undefined) throw bearerError('invalid_request', 'The Authorization header is not a valid Bearer credential.')
        token = fromHeader
      } else if (bodyToken !== undefined) {
        token = bodyToken
      } else {
        // RFC 6750 §3.1: a request without authentication information gets no error code.
        return { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}"`, ...NO_STORE_HEADERS }, body: '' }
      }

      const valid = await validateAccessToken(token, runtime)
      if (valid === undefined) throw bearerError('invalid_token', 'The access token is invalid, expired or revoked.')
      // OIDC Core §5.3: the token must have been granted with the openid scope.
      if (!valid.scope.includes('openid')) throw bearerError('insufficient_scope', 'The access token was not granted the openid scope.', 'openid')
      if (valid.sub === undefined) throw bearerError('invalid_token', 'The access token has no end-user.')

      const claims =
        settings.getClaims !== undefined ? await settings.getClaims(valid.sub, valid.scope, { clientId: valid.clientId, request: req.request }) : {}
      if (claims === null || claims === undefined) throw bearerError('invalid_token', 'The end-user of the access token no longer exists.')
      if (typeof claims !== 'object' || Array.isArray(claims)) throw new TypeError('The userInfo callback must return an object of claims, or null.')
      const released = new Set(valid.scope.flatMap((scope) => [...(scopeClaims.get(scope) ?? [])]))
      const body: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(claims)) if (released.has(name) && value !== undefined) body[name] = value
      // OIDC Core §5.3.2: "The sub Claim in the UserInfo Response MUST be verified to exactly match the sub Claim in the ID Token".
      body['sub'] = valid.sub
      return jsonResult(200, body, NO_STORE_HEADERS)
    },
  }
}

/**
 * The `access_token` of a form body (RFC 6750 §2.2). With a token in the header the body cannot
 * carry one lawfully, so it is not parsed as this endpoint's parameters (an unrelated field sent
 * twice is no reason to refuse the request); it is only checked for a second token (RFC 6750 §2),
 * within the size limit. Without one, the body is parsed with the RFC 6749 §3.1 rules.
 */
function readBodyToken(body: string | URLSearchParams | null | undefined, inHeader: boolean, limits: RequestLimits): string | undefined {
  if (!inHeader) return parseForm(body, limits)['access_token']
  if (typeof body === 'string') checkBodyLength(body, limits, BODY_TOO_LARGE)
  const fields = typeof body === 'string' ? new URLSearchParams(body) : body instanceof URLSearchParams ? body : undefined
  // RFC 6749 §3.1: a parameter without a value counts as omitted.
  return fields?.getAll('access_token').find((value) => value !== '')
}
