import { authenticateClient, challengeInvalidClient, type ClientAuthenticationPolicy } from '../client-auth/authenticate-client.js'
import type { AuthenticatedClient } from '../client-auth/client-auth-method.js'
import type { FlowConfig, TokenGrantConfig } from '../config.js'
import { isRegisteredErrorCode } from '../errors/codes.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { errorToResult, jsonResult, NO_STORE_HEADERS } from '../errors/to-result.js'
import { NotThisFlow } from '../grants/grant-definition.js'
import type { OAuth2TokenParams, TokenHandlerResult } from '../grants/token-context.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { detach } from '../internal/retention.js'
import { parseParams } from '../schemas/parse-params.js'
import { declaredScopeNames, hasScopeToken, scopeTokens } from '../schemas/common.js'
import { createIdToken } from '../tokens/id-token.js'
import { sha256 } from '../internal/hash.js'
import type { AccessTokenEntry } from '../tokens/issue-tokens.js'
import { signJwtAccessToken, type JwtAccessTokenClaims, type JwtAccessTokenDefaults, type SignedToken } from '../tokens/jwt-access-token.js'
import { createIssueTokensHelper, idTokenAlgorithm, refuseIfRevoked } from '../tokens/issue-tokens.js'
import { OAuth2TokenResponse } from '../tokens/token-response.js'
import { verifyJwt } from '../tokens/verify-jwt.js'
import type { OAuth2Result } from '../types.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'

/** One grant of one flow at this endpoint, in the order the flows were added. */
export interface TokenEndpointEntry {
  flow: FlowConfig
  grant: TokenGrantConfig
}

/**
 * The token endpoint (RFC 6749 §3.2): POST, form-encoded, each parameter once; `grant_type` picks
 * the grant; the client is authenticated (§2.3, §3.2.1); the grant's parameters are validated; the
 * user's `generateToken` runs with its helpers; its answer becomes a §5.1 or §5.2 response.
 */
export function createTokenEndpoint(pathname: string, entries: TokenEndpointEntry[], runtime: ProviderRuntime): Endpoint {
  const { config } = runtime
  const tokenEndpointUrl = runtime.endpointUrl(entries[0]!.grant.path)
  const policies = new Map<FlowConfig, ClientAuthenticationPolicy>()
  for (const { flow } of entries) {
    policies.set(flow, {
      methods: flow.authMethods,
      findClient: config.findClient,
      replay: config.replayStore,
      realm: config.issuer,
      audiences: [tokenEndpointUrl, config.issuer],
      maxAssertionLifetime: config.maxAssertionLifetime,
    })
  }

  // The grants by grant_type, in the order the flows were added (each request picks its list).
  const byGrantType = new Map<string, TokenEndpointEntry[]>()
  for (const entry of entries) {
    const list = byGrantType.get(entry.grant.grant.grantType)
    if (list === undefined) byGrantType.set(entry.grant.grant.grantType, [entry])
    else list.push(entry)
  }

  const authMethods = [...new Set(entries.flatMap(({ flow }) => [...flow.authMethods.keys()]))]
  const signingAlgs = [
    ...new Set(entries.flatMap(({ flow }) => [...flow.authMethods.values()].flatMap((m) => [...(m.signingAlgorithms ?? [])]))),
  ]

  return {
    pathname,
    methods: ['POST'],
    noStore: true,
    metadata: () => ({
      token_endpoint: tokenEndpointUrl,
      grant_types_supported: [...new Set(entries.map((e) => e.grant.grant.grantType))],
      token_endpoint_auth_methods_supported: authMethods,
      ...(signingAlgs.length > 0 ? { token_endpoint_auth_signing_alg_values_supported: signingAlgs } : {}),
    }),
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      // RFC 6749 §3.2: the client MUST use POST, with application/x-www-form-urlencoded (Appendix B).
      if (!isFormContentType(req.headers.get('content-type'))) {
        throw new OAuth2Error('invalid_request', 'The token request must be sent as application/x-www-form-urlencoded.')
      }
      const params = parseForm(req.request.body, config.limits)
      const grantType = params['grant_type']
      if (grantType === undefined) throw new OAuth2Error('invalid_request', 'Missing required parameter: grant_type.')
      const candidates = byGrantType.get(grantType)
      if (candidates === undefined) {
        throw new OAuth2Error('unsupported_grant_type', 'The grant_type is not supported by this authorization server.')
      }

      const now = config.now()
      const authorization = req.headers.get('authorization')
      let firstAuthError: unknown
      // Authenticate once per request: a client assertion's jti is single use, so a second flow
      // (MultipleFlows) reuses the first successful authentication when it allows the same method.
      let authenticated: AuthenticatedClient | undefined
      let declined: NotThisFlow | undefined
      for (let index = 0; index < candidates.length; index++) {
        const entry = candidates[index]!
        const policy = policies.get(entry.flow)!
        let client: AuthenticatedClient
        if (authenticated !== undefined) {
          if (!entry.flow.authMethods.has(authenticated.method)) continue
          client = authenticated
        } else {
          try {
            client = authenticated = await authenticateClient(authorization, params, policy, now)
          } catch (error) {
            // With several flows on one grant (MultipleFlows), another flow may accept this client.
            firstAuthError ??= error
            continue
          }
        }
        const result = await runGrant(entry, client, params, req, runtime)
        if (result instanceof NotThisFlow) {
          declined ??= result
          continue
        }
        if (result === null && index < candidates.length - 1) continue
        if (result === null) break
        return toTokenResult(result, client, policy)
      }
      if (declined !== undefined) throw declined.otherwise
      if (firstAuthError !== undefined) throw firstAuthError
      throw new OAuth2Error('invalid_request', 'The token request was not accepted.')
    },
  }
}

/** Checks what the grant needs, builds the handler context, calls `generateToken`. `null` when it returned nothing. */
async function runGrant(
  entry: TokenEndpointEntry,
  client: AuthenticatedClient,
  params: Record<string, string>,
  req: EndpointRequest,
  runtime: ProviderRuntime,
): Promise<NonNullable<TokenHandlerResult> | null | NotThisFlow> {
  const { flow, grant } = entry
  const { config } = runtime
  const grantType = grant.grant.grantType
  const registered = client.client
  // RFC 7591 §2: grant_types defaults to ["authorization_code"]; RFC 6749 §5.2 unauthorized_client.
  if (registered !== undefined && !(registered.grant_types ?? ['authorization_code']).includes(grantType)) {
    throw new OAuth2Error('unauthorized_client', `The client is not allowed to use the ${grantType} grant.`)
  }
  // RFC 6749 §4.4: client_credentials MUST only be used by confidential clients.
  if (grantType === 'client_credentials' && client.method === 'none') {
    throw new OAuth2Error('unauthorized_client', 'Public clients cannot use the client_credentials grant.')
  }
  const parsed = parseParams(grant.grant.schema, params) as never
  const scope = grant.grant.scope(parsed)
  const scopes = scopeTokens(scope)
  checkScope(scopes, flow, registered?.scope)
  // A grant may first redeem what the request refers to (the core's authorization codes): its
  // checks run before any handler, and the handler context gets what was stored.
  const resolved = grant.grant.resolve !== undefined ? await grant.grant.resolve({ params: parsed, client, flow, runtime, request: req.request }) : {}
  if (resolved instanceof NotThisFlow) return resolved
  // The core's own handler: no handler context to build (its helpers are closures over this request).
  if (grant.generateToken === undefined) {
    return (await grant.grant.defaultHandler!({ params: parsed, scopes, resolved, client, flow, runtime, request: req.request })) ?? null
  }

  const issuer = config.issuer
  // Filled member by member (no spreads): built for every token request a generateToken answers.
  const context = { grantType, clientId: client.clientId } as OAuth2TokenParams
  if (client.clientSecret !== undefined) context.clientSecret = client.clientSecret
  context.clientAuthMethod = client.method
  context.clientAuthenticated = client.verified
  if (registered !== undefined) context.client = registered
  context.ttl = flow.tokenTtl
  context.tokenType = flow.tokenType.prefix
  context.issuer = issuer
  if (scope !== undefined) context.scope = scope
  context.scopes = scopes
  Object.assign(context, grant.grant.fields(parsed), resolved)
  context.verifyJwt = (token, options = {}) => verifyJwt(token, options, { keys: runtime.keys, issuer, now: config.now() })
  // RFC 6749 §4.1.2: the tokens a handler issues for a redeemed code belong to the code's grant, so
  // that a replay of the code, which revokes that grant, revokes them too.
  const codeGrantId = (resolved as { authorization?: { grantId?: unknown } }).authorization?.grantId
  const grantId = typeof codeGrantId === 'string' ? codeGrantId : undefined
  context.issueTokens = createIssueTokensHelper(flow, runtime, client, scopes, grantId)
  if (flow.jwtAccessTokens) {
    context.createJwtAccessToken = (claims = {}) =>
      recordJwtAccessToken(runtime, client.clientId, grantId, claims, {
        keys: runtime.keys,
        alg: config.accessTokenAlgorithm,
        issuer,
        audience: config.accessTokenAudience ?? issuer,
        ttl: flow.tokenTtl,
        now: config.now(),
        clientId: client.clientId,
        scope,
      })
  }
  if (flow.oidc || 'openid' in flow.scopes) {
    context.createIdToken = (claims, options = {}) =>
      createIdToken(claims, options, {
        keys: runtime.keys,
        // Resolved only when an ID token is signed: a client registered for an algorithm this
        // provider lacks still gets every other grant.
        alg: idTokenAlgorithm(registered?.id_token_signed_response_alg),
        issuer,
        clientId: client.clientId,
        ttl: flow.idTokenTtl,
        now: config.now(),
      })
  }
  return (await grant.generateToken(context, req.request)) ?? null
}

/**
 * Signs an access token for a user handler and records it (kind `access_token`, by its `jti`), so
 * userinfo, introspection and the resource-server middleware honour it and revocation can end it.
 * It belongs to the grant the handler names (`grant_id` claim), else to the redeemed code's
 * (`grantId`), else to a grant of its own.
 */
async function recordJwtAccessToken(
  runtime: ProviderRuntime,
  clientId: string,
  grantId: string | undefined,
  claims: JwtAccessTokenClaims,
  defaults: JwtAccessTokenDefaults,
): Promise<SignedToken> {
  const { payload, ...signed } = await signJwtAccessToken(claims, defaults)
  if (typeof payload.jti === 'string' && typeof payload.exp === 'number') {
    const existing = typeof claims['grant_id'] === 'string' ? claims['grant_id'] : grantId
    const entry: AccessTokenEntry = {
      grantId: existing ?? `handler:${payload.jti}`,
      clientId: typeof payload['client_id'] === 'string' ? payload['client_id'] : clientId,
      sub: typeof payload.sub === 'string' ? payload.sub : undefined,
      scope: typeof payload['scope'] === 'string' ? payload['scope'] : '',
      format: 'jwt',
      iat: payload.iat ?? Math.floor(defaults.now / 1000),
      exp: payload.exp,
    }
    await runtime.config.store.set('access_token', sha256(payload.jti), entry, payload.exp * 1000)
    // As in issueTokenSet: a grant revoked while this token was written (a replay of the code) must not keep it.
    if (existing !== undefined) await refuseIfRevoked(runtime, existing)
  }
  return signed
}

/**
 * RFC 6749 §3.3 / §5.2 invalid_scope: a scope the server does not declare, or the client may not
 * request. The requested tokens are cut from the request (which may hold a client secret) and end up
 * in stored entries: each is replaced, in place, by the flow's own string for that scope, or by a
 * copy of its own when the flow declares none (internal/retention.ts).
 */
export function checkScope(scopes: string[], flow: FlowConfig, clientScope: string | undefined): void {
  if (scopes.length === 0) return
  const declared = declaredScopeNames(flow.scopes)
  if (declared.size > 0) {
    // Runs on every token request: the error list is built only when a scope is refused.
    let unknown: string[] | undefined
    for (let i = 0; i < scopes.length; i++) {
      const name = declared.get(scopes[i]!)
      if (name === undefined) (unknown ??= []).push(scopes[i]!)
      else scopes[i] = name
    }
    if (unknown !== undefined) throw new OAuth2Error('invalid_scope', `Unknown scope: ${unknown.join(' ')}.`)
  } else {
    for (let i = 0; i < scopes.length; i++) scopes[i] = detach(scopes[i]!)
  }
  if (clientScope !== undefined) {
    // A few requested scopes are looked up in place; many go through a Set of the registered ones,
    // so the check stays linear in both.
    const allowed = scopes.length > 16 ? new Set(clientScope.split(' ')) : undefined
    const has = (s: string) => (allowed === undefined ? hasScopeToken(clientScope, s) : allowed.has(s))
    if (!scopes.every(has)) {
      const refused = scopes.filter((s) => !has(s))
      throw new OAuth2Error('invalid_scope', `The client may not request the scope: ${refused.join(' ')}.`)
    }
  }
}

/** Maps what `generateToken` returned to the RFC 6749 §5.1 / §5.2 response. */
function toTokenResult(result: NonNullable<TokenHandlerResult>, client: AuthenticatedClient, policy: ClientAuthenticationPolicy): OAuth2Result {
  const body = result instanceof OAuth2TokenResponse ? result.toJSON() : hasToJSON(result) ? result.toJSON() : result
  if (typeof body !== 'object' || body === null) throw new TypeError('generateToken returned something that is neither a token response nor an error.')
  if ('error' in body && typeof body.error === 'string') {
    const fields = body as Record<string, unknown>
    const description = typeof fields['error_description'] === 'string' ? fields['error_description'] : undefined
    const uri = typeof fields['error_uri'] === 'string' ? { uri: fields['error_uri'] } : {}
    if (!/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(body.error)) {
      throw new TypeError(`generateToken returned an error code that is not valid RFC 6749 syntax: ${JSON.stringify(body.error)}`)
    }
    let error = new OAuth2Error(body.error, description, { ...uri, ...(isRegisteredErrorCode(body.error) ? {} : { status: 400 }) })
    if (error.error === 'invalid_client') error = challengeInvalidClient(error, client.method === 'client_secret_basic', policy)
    return errorToResult(error)
  }
  const token = body as Record<string, unknown>
  if (typeof token['access_token'] !== 'string' || token['access_token'] === '') {
    throw new TypeError('generateToken returned a token response without a non-empty access_token.')
  }
  if (typeof token['token_type'] !== 'string' || token['token_type'] === '') {
    throw new TypeError('generateToken returned a token response without a token_type.')
  }
  const expiresIn = token['expires_in']
  if (expiresIn !== undefined && !(typeof expiresIn === 'number' && Number.isInteger(expiresIn) && expiresIn >= 0)) {
    throw new TypeError('generateToken returned an expires_in that is not a non-negative integer.')
  }
  return jsonResult(200, token, NO_STORE_HEADERS)
}

function hasToJSON(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function'
}
