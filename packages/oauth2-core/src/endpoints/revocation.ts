import { NO_STORE_HEADERS } from '../errors/to-result.js'
import { revokeGrant } from '../tokens/issue-tokens.js'
import type { Endpoint, ProviderRuntime } from './endpoint.js'
import { createTokenManagementEndpoint } from './token-management.js'

/** The revocation endpoint's configuration (`revocationRoute`). */
export interface RevocationEndpointConfig {
  /** Path relative to the issuer's path; default `/oauth2/revoke`. */
  path: string
}

/**
 * The token revocation endpoint (RFC 7009): POST, form-encoded `token` and optional
 * `token_type_hint`, from a client authenticated as at the token endpoint (any method of any flow).
 *
 * - The client is authenticated first, then the token must have been issued to it (§2.1); a token
 *   of another client is left alone.
 * - Revoking a refresh token revokes its grant: every refresh and access token of that family
 *   (§2.1 "SHOULD also invalidate all access tokens based on the same authorization grant").
 * - Revoking an access token revokes that token only.
 * - Every well-formed request by an authenticated client gets 200, whether the token was revoked,
 *   unknown, expired or another client's (§2.2), so the endpoint reveals nothing about tokens.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export function createRevocationEndpoint(pathname: string, revocation: RevocationEndpointConfig, runtime: ProviderRuntime): Endpoint {
  return createTokenManagementEndpoint(pathname, {
    name: 'revocation',
    path: revocation.path,
    // RFC 7009 §2.1: public clients may revoke their own tokens with their client_id.
    allowNone: true,
    async answer({ client, found }) {
      // RFC 7009 §2.1: "...and then verifies whether the token was issued to the client making the revocation request".
      if (found !== undefined && found.entry.clientId === client.clientId) {
        if (found.kind === 'refresh_token') await revokeGrant(runtime, found.entry.grantId)
        else await runtime.config.store.delete('access_token', found.id)
      }
      // RFC 7009 §2.2: 200 for a revoked token and for an invalid one alike; the body is ignored.
      return { status: 200, headers: { ...NO_STORE_HEADERS }, body: '' }
    },
  }, runtime)
}
