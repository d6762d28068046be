import { authenticateClient } from '../client-auth/authenticate-client.js'
import type { AuthenticatedClient } from '../client-auth/client-auth-method.js'
import { endpointClientPolicy, policySigningAlgorithms, requireVerifiedClient } from '../client-auth/endpoint-policy.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { isFormContentType, parseForm } from '../internal/form.js'
import { lookupToken, type FoundToken } from '../tokens/lookup-token.js'
import type { OAuth2Result } from '../types.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoint.js'

/** A well-formed revocation or introspection request, its client authenticated. */
export interface TokenManagementRequest {
  client: AuthenticatedClient
  /** The token the request names, if the core issued or recorded it (see {@link lookupToken}). */
  found: FoundToken | undefined
}

/** What sets the revocation and the introspection endpoint apart. */
export interface TokenManagementEndpointSpec {
  /** Names the metadata members (`<name>_endpoint`, ...) and the request in error descriptions. */
  name: 'revocation' | 'introspection'
  /** Path relative to the issuer's path (the client assertion audience, the metadata URL). */
  path: string
  /** Whether public clients (`none`) may call it. */
  allowNone: boolean
  /** The endpoint's own answer to a well-formed request. */
  answer(request: TokenManagementRequest): Promise<OAuth2Result>
}

/**
 * The part the revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1) endpoints share, as
 * both RFCs define it alike: POST with form-encoded `token` and optional `token_type_hint`; the
 * client authenticated first, with any method of any flow (`endpointClientPolicy`), and verified;
 * then the token looked up, every type tried whatever the hint. Both are advertised in the RFC 8414
 * metadata with their client authentication methods and signing algorithms (RFC 8414 §2), and both
 * answer `Cache-Control: no-store`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function createTokenManagementEndpoint(pathname: string, spec: TokenManagementEndpointSpec, runtime: ProviderRuntime): Endpoint {
  const { config } = runtime
  const { name } = spec
  const policy = endpointClientPolicy(runtime, spec.path, { allowNone: spec.allowNone })
  const signingAlgs = policySigningAlgorithms(policy)

  return {
    pathname,
    methods: ['POST'],
    noStore: true,
    metadata: () => ({
      [`${name}_endpoint`]: runtime.endpointUrl(spec.path),
      [`${name}_endpoint_auth_methods_supported`]: [...policy.methods.keys()],
      ...(signingAlgs.length > 0 ? { [`${name}_endpoint_auth_signing_alg_values_supported`]: signingAlgs } : {}),
    }),
    async handle(req: EndpointRequest): Promise<OAuth2Result> {
      // RFC 7009 §2.1, RFC 7662 §2.1: parameters in an application/x-www-form-urlencoded entity-body.
      if (!isFormContentType(req.headers.get('content-type'))) {
        throw new OAuth2Error('invalid_request', `The ${name} request must be sent as application/x-www-form-urlencoded.`)
      }
      const params = parseForm(req.request.body, config.limits)
      // RFC 7009 §2.1: "the authorization server first validates the client credentials"; RFC 7662
      // §2.1: "the endpoint MUST also require some form of authorization".
      const client = await authenticateClient(req.headers.get('authorization'), params, policy, config.now())
      requireVerifiedClient(client, policy)
      const token = params['token']
      if (token === undefined) throw new OAuth2Error('invalid_request', 'Missing required parameter: token.')
      return spec.answer({ client, found: await lookupToken(token, params['token_type_hint'], runtime) })
    },
  }
}
