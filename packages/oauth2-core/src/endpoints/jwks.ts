import { jsonResult } from '../errors/to-result.js'
import type { Endpoint, ProviderRuntime } from './endpoint.js'

/** Seconds a JWKS may be cached: far below the one-day key pre-publication, so caches see new keys first. */
const JWKS_MAX_AGE = 300

/**
 * The JWK Set endpoint (RFC 7517 §5, OpenID Connect Discovery `jwks_uri`): every published public
 * key, including the next one before it starts signing and retired ones while their tokens live.
 */
export function createJwksEndpoint(pathname: string, runtime: ProviderRuntime): Endpoint {
  return {
    pathname,
    methods: ['GET', 'HEAD'],
    noStore: false,
    async handle() {
      const jwks = await runtime.keys.jwks()
      return jsonResult(200, jwks, { 'cache-control': `public, max-age=${JWKS_MAX_AGE}` })
    },
  }
}
