import { jsonResult } from '../errors/to-result.js'
import type { Endpoint, ProviderRuntime } from './endpoint.js'

/**
 * The JWK Set endpoint (RFC 7517 §5, OpenID Connect Discovery `jwks_uri`): every published public
 * key, including the next one before it starts signing and retired ones while their tokens live.
 *
 * Cacheable (`public, max-age`), but never longer than the key pre-publication window (at most
 * 300 s), so every cached copy lists a new key before the first token it signs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 */
export function createJwksEndpoint(pathname: string, path: string, runtime: ProviderRuntime): Endpoint {
  return {
    pathname,
    methods: ['GET', 'HEAD'],
    noStore: false,
    metadata: () => ({ jwks_uri: runtime.endpointUrl(path) }),
    async handle() {
      const jwks = await runtime.keys.jwks()
      return jsonResult(200, jwks, { 'cache-control': `public, max-age=${runtime.keys.jwksMaxAge}` })
    },
  }
}
