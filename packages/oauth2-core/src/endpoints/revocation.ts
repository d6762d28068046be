import { authenticateClient } from '../client-auth/authenticate-client.js'
import { endpointClientPolicy, policySigningAlgorithms, requireVerifiedClient } from '../client-auth/endpoint-policy.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { NO_STORE_HEADERS } from '../errors/to-result.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { revokeGrant } from '../tokens/issue-tokens.js'
import { lookupToken } from '../tokens/lookup-token.js'
import type { OAuth2Result } from '../types.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'

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
  const { config } = runtime
  // RFC 7009 §2.1: public clients may revoke their own tokens with their client_id.
  const policy = endpointClientPolicy(runtime, revocation.path, { allowNone: true })
  const signingAlgs = policySigningAlgorithms(policy)

  return {
    pathname,
    methods: ['POST'],
    noStore: true,
    metadata: () => ({
      revocation_endpoint: runtime.endpointUrl(revocation.path),
      revocation_endpoint_auth_methods_supported: [...policy.methods.keys()],
      ...(signingAlgs.length > 0 ? { revocation_endpoint_auth_signing_alg_values_supported: signingAlgs } : {}),
    }),
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      // RFC 7009 §2.1: parameters in an application/x-www-form-urlencoded entity-body.
      if (!isFormContentType(req.headers.get('content-type'))) {
        throw new OAuth2Error('invalid_request', 'The revocation request must be sent as application/x-www-form-urlencoded.')
      }
      const params = parseForm(req.request.body, config.limits)
      // RFC 7009 §2.1: "the authorization server first validates the client credentials".
      const client = await authenticateClient(req.headers.get('authorization'), params, policy, config.now())
      requireVerifiedClient(client, policy)
      const token = params['token']
      if (token === undefined) throw new OAuth2Error('invalid_request', 'Missing required parameter: token.')

      const found = await lookupToken(token, params['token_type_hint'], runtime)
      // "...and then verifies whether the token was issued to the client making the revocation request".
      if (found !== undefined && found.entry.clientId === client.clientId) {
        if (found.kind === 'refresh_token') await revokeGrant(runtime, found.entry.grantId)
        else await config.store.delete('access_token', found.id)
      }
      // RFC 7009 §2.2: 200 for a revoked token and for an invalid one alike; the body is ignored.
      return { status: 200, headers: { ...NO_STORE_HEADERS }, body: '' }
    },
  }
}
