import type { ClientMetadata } from '../client-auth/client-metadata.js'
import { jsonResult, NO_STORE_HEADERS } from '../errors/to-result.js'
import { joinScope } from '../schemas/common.js'
import { isGrantRevoked } from '../tokens/issue-tokens.js'
import type { FoundToken } from '../tokens/lookup-token.js'
import type { Endpoint, ProviderRuntime } from './endpoint.js'
import { createTokenManagementEndpoint } from './token-management.js'

/**
 * An introspection response (RFC 7662 §2.2). An inactive token is `{ active: false }` and nothing
 * else; an active one carries what the server knows of it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2
 */
export interface IntrospectionResponse {
  active: boolean
  scope?: string
  client_id?: string
  sub?: string
  exp?: number
  iat?: number
  /** `token_type` (RFC 6749 §7.1) of an access token, e.g. `Bearer`; absent for a refresh token. */
  token_type?: string
  aud?: string | string[]
  iss?: string
  jti?: string
  [claim: string]: unknown
}

/** The authenticated client calling the introspection endpoint. */
export interface IntrospectionCaller {
  clientId: string
  /** Its registered metadata. */
  client: ClientMetadata | undefined
}

/**
 * Decides whether an authenticated caller may learn about an active token; when it may not, the
 * answer is `{ "active": false }` (RFC 7662 §2.2, §4). The default lets a client introspect the
 * tokens issued to it and the access tokens whose `aud` names it (a resource server).
 */
export type CanIntrospect = (caller: IntrospectionCaller, token: IntrospectionResponse & { active: true }) => boolean | Promise<boolean>

/** The introspection endpoint's configuration (`introspectionRoute`). */
export interface IntrospectionEndpointConfig {
  /** Path relative to the issuer's path; default `/oauth2/introspect`. */
  path: string
  /** Who may introspect what; default {@link defaultCanIntrospect}. */
  canIntrospect: CanIntrospect | undefined
}

/**
 * The default {@link CanIntrospect}: the token's own client, or a client named in its audience.
 */
export const defaultCanIntrospect: CanIntrospect = (caller, token) => {
  if (token.client_id === caller.clientId) return true
  const audiences = typeof token.aud === 'string' ? [token.aud] : Array.isArray(token.aud) ? token.aud : []
  return audiences.includes(caller.clientId)
}

/**
 * The token introspection endpoint (RFC 7662): POST, form-encoded `token` and optional
 * `token_type_hint`, from an authenticated client only (§2.1: "the endpoint MUST also require some
 * form of authorization"); public (`none`) clients are refused with `invalid_client`.
 *
 * An access token (JWT or opaque) or a refresh token the core recorded is active while it is
 * unexpired, not revoked (its record exists; for a JWT, the record of its `jti`), its grant not
 * revoked, and (a refresh token) not yet rotated. Anything else, and any token the caller may not
 * see, is `{ "active": false }`. Responses are never cached (`Cache-Control: no-store`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export function createIntrospectionEndpoint(pathname: string, introspection: IntrospectionEndpointConfig, runtime: ProviderRuntime): Endpoint {
  const canIntrospect = introspection.canIntrospect ?? defaultCanIntrospect
  // RFC 7662 §2.1: "the endpoint MUST also require some form of authorization": no public clients.
  return createTokenManagementEndpoint(pathname, {
    name: 'introspection',
    path: introspection.path,
    allowNone: false,
    async answer({ client, found }) {
      const described = found === undefined ? undefined : await describe(found, runtime)
      const visible = described !== undefined && (await canIntrospect({ clientId: client.clientId, client: client.client }, described))
      // RFC 7662 §2.2: for an inactive token the server "SHOULD NOT include any additional information".
      return jsonResult(200, visible ? described : { active: false }, NO_STORE_HEADERS)
    },
  }, runtime)
}

/** What the server knows of an active token, or `undefined` when it is not active. */
async function describe(found: FoundToken, runtime: ProviderRuntime): Promise<(IntrospectionResponse & { active: true }) | undefined> {
  const { config } = runtime
  const now = config.now()
  const { entry } = found
  if (await isGrantRevoked(runtime, entry.grantId)) return undefined

  if (found.kind === 'refresh_token') {
    const rotated = found.entry.consumedAt !== undefined || found.entry.rotatedAt !== undefined || found.entry.superseded === true
    const expiresAt = found.entry.expiresAt
    if (rotated || (expiresAt !== undefined && expiresAt <= now)) return undefined
    return activeResponse({
      scope: scopeMember(found.entry.scope),
      client_id: found.entry.clientId,
      sub: found.entry.sub,
      exp: expiresAt === undefined ? undefined : Math.floor(expiresAt / 1000),
      iat: Math.floor(found.entry.issuedAt / 1000),
      iss: config.issuer,
    })
  }

  const access = found.entry
  if (access.exp * 1000 <= now) return undefined
  const tokenType = access.tokenType ?? config.flows[0]?.tokenType.prefix ?? 'Bearer'
  const claims = found.claims
  if (claims !== undefined) {
    return activeResponse({
      scope: typeof claims['scope'] === 'string' && claims['scope'] !== '' ? claims['scope'] : undefined,
      client_id: typeof claims['client_id'] === 'string' ? claims['client_id'] : access.clientId,
      sub: claims.sub,
      exp: claims.exp,
      iat: claims.iat,
      nbf: claims.nbf,
      token_type: tokenType,
      aud: claims.aud,
      iss: claims.iss,
      jti: claims.jti,
    })
  }
  return activeResponse({
    scope: access.scope === '' ? undefined : access.scope,
    client_id: access.clientId,
    // RFC 9068 §2.2: without a resource owner (client_credentials) the subject is the client.
    sub: access.sub ?? access.clientId,
    exp: access.exp,
    iat: access.iat,
    token_type: tokenType,
    aud: access.aud ?? config.accessTokenAudience ?? config.issuer,
    iss: config.issuer,
  })
}

function scopeMember(scope: readonly string[]): string | undefined {
  return scope.length === 0 ? undefined : joinScope(scope)
}

/** An active response with the given members, leaving out those that are `undefined`. */
function activeResponse(fields: Record<string, unknown>): IntrospectionResponse & { active: true } {
  return { active: true, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) }
}
