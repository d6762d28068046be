import { jsonResult } from '../errors/to-result.js'
import { SIGNING_ALGORITHMS } from '../tokens/key-store.js'
import type { Endpoint } from './endpoint.js'

/** How long a discovery document may be cached, in seconds: it only changes with a redeployment. */
const DISCOVERY_MAX_AGE = 300

/**
 * The well-known path of the RFC 8414 metadata of an issuer: `/.well-known/oauth-authorization-server`
 * inserted between the host and the issuer's path (`https://example.com/auth` ->
 * `/.well-known/oauth-authorization-server/auth`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 */
export function oauthMetadataPathname(issuer: string): string {
  return `/.well-known/oauth-authorization-server${issuerBasePath(issuer)}`
}

/**
 * The well-known path of the OpenID Provider configuration: the issuer's path followed by
 * `/.well-known/openid-configuration` (`https://example.com/auth` -> `/auth/.well-known/openid-configuration`).
 *
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function openidConfigurationPathname(issuer: string): string {
  return `${issuerBasePath(issuer)}/.well-known/openid-configuration`
}

/**
 * The discovery endpoints of a provider: the RFC 8414 authorization server metadata always, and the
 * OpenID Connect Discovery document when a flow is an OpenID Connect one. Both serve the document
 * `metadata()` generates from the configuration (so what is advertised is what is served); the
 * OpenID document also carries the fields OIDC Discovery §3 requires even where no endpoint
 * contributed them (`subject_types_supported`, `id_token_signing_alg_values_supported`,
 * `response_types_supported`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-3
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function createDiscoveryEndpoints(issuer: string, oidc: boolean, metadata: () => Record<string, unknown>): Endpoint[] {
  const endpoints: Endpoint[] = [
    discoveryEndpoint(oauthMetadataPathname(issuer), metadata),
  ]
  if (oidc) endpoints.push(discoveryEndpoint(openidConfigurationPathname(issuer), metadata))
  return endpoints
}

/**
 * Merges `additionalConfiguration(obj)` into a metadata document (kaapi semantics: a shallow merge
 * where the extra fields win). A relative URL given for an `*_endpoint` or `*_uri` field (such as
 * `{ userinfo_endpoint: '/userinfo' }`) is resolved against the issuer, since RFC 8414 §2 requires
 * absolute URLs.
 */
export function mergeAdditionalConfiguration(
  document: Record<string, unknown>,
  extra: Readonly<Record<string, unknown>> | undefined,
  endpointUrl: (path: string) => string,
): Record<string, unknown> {
  if (extra === undefined) return document
  const merged = { ...document }
  for (const [name, value] of Object.entries(extra)) {
    if (name === 'issuer') continue
    merged[name] = typeof value === 'string' && value.startsWith('/') && /(_endpoint|_uri)$/.test(name) ? endpointUrl(value) : value
  }
  return merged
}

function discoveryEndpoint(pathname: string, document: () => Record<string, unknown>): Endpoint {
  return {
    pathname,
    methods: ['GET', 'HEAD'],
    noStore: false,
    async handle() {
      return jsonResult(200, document(), {
        'cache-control': `public, max-age=${DISCOVERY_MAX_AGE}`,
        // Public metadata: browser-based clients read it cross-origin.
        'access-control-allow-origin': '*',
      })
    },
  }
}

export function withRequiredFields(document: Record<string, unknown>, oidc: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...document }
  // RFC 8414 §2 and OIDC Discovery §3: REQUIRED; empty when the provider has no authorization endpoint.
  out['response_types_supported'] ??= []
  if (oidc) {
    out['subject_types_supported'] ??= ['public']
    // OIDC Discovery §3: "The algorithm RS256 MUST be included."
    out['id_token_signing_alg_values_supported'] ??= [...SIGNING_ALGORITHMS]
  }
  return out
}

function issuerBasePath(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/+$/, '')
}
