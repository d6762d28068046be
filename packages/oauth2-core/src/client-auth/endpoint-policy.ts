import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { challengeInvalidClient, type ClientAuthenticationPolicy } from './authenticate-client.js'
import type { AuthenticatedClient, ClientAuthMethod } from './client-auth-method.js'
import type { ClientAuthMethodName } from './client-metadata.js'

/**
 * The client authentication policy of an endpoint besides the token endpoint (revocation,
 * introspection): the union of the flows' methods (the first flow's strategy for each name), the
 * provider's client lookup, and as assertion audiences this endpoint, the token endpoints and the
 * issuer (RFC 7523 §3: the authorization server).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2.1
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
export function endpointClientPolicy(runtime: ProviderRuntime, path: string, options: { allowNone: boolean }): ClientAuthenticationPolicy {
  const { config } = runtime
  const methods = new Map<ClientAuthMethodName, ClientAuthMethod>()
  for (const flow of config.flows) {
    for (const [name, method] of flow.authMethods) {
      if (name === 'none' && !options.allowNone) continue
      if (!methods.has(name)) methods.set(name, method)
    }
  }
  const tokenEndpoints = config.flows.flatMap((flow) => flow.grants.map((grant) => runtime.endpointUrl(grant.path)))
  return {
    methods,
    findClient: config.findClient,
    replay: config.replayStore,
    realm: config.issuer,
    audiences: [...new Set([runtime.endpointUrl(path), ...tokenEndpoints, config.issuer])],
    maxAssertionLifetime: config.maxAssertionLifetime,
  }
}

/** The JWS algorithms the policy's JWT methods accept, for `*_auth_signing_alg_values_supported`. */
export function policySigningAlgorithms(policy: ClientAuthenticationPolicy): string[] {
  return [...new Set([...policy.methods.values()].flatMap((method) => [...(method.signingAlgorithms ?? [])]))]
}

/**
 * Refuses a client the core could not verify. Without a client lookup, presented secrets and
 * assertions are only handed to user handlers (kaapi's model); the core's own handlers and
 * endpoints act on tokens, so they accept only verified clients and public (`none`) clients,
 * whose only credential is their `client_id` (RFC 6749 §2.1).
 */
export function requireVerifiedClient(client: AuthenticatedClient, policy: Pick<ClientAuthenticationPolicy, 'methods' | 'realm'>): void {
  if (client.verified || client.method === 'none') return
  throw challengeInvalidClient(
    new OAuth2Error('invalid_client', 'Client authentication failed.', {
      detail: 'no client lookup is configured (findClient or store.findClient), so the core cannot verify client credentials',
    }),
    client.method === 'client_secret_basic',
    policy,
  )
}
