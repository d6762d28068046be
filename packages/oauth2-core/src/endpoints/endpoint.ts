import type { ProviderConfig } from '../config.js'
import type { KeyManager } from '../tokens/key-manager.js'
import type { HeaderLookup } from '../internal/headers.js'
import type { OAuth2Request, OAuth2Result } from '../types.js'

/** A request as an endpoint sees it: parsed once by the provider. */
export interface EndpointRequest {
  readonly request: OAuth2Request
  /** The method, upper-cased. */
  readonly method: string
  /** The request URL's pathname, which routed it here. */
  readonly pathname: string
  /** The request URL resolved against the issuer (parsed when first read: most endpoints never need the query). */
  readonly url: URL
  /** Case-insensitive header lookup, `null` when absent; repeated fields joined as `Headers` joins them. */
  readonly headers: HeaderLookup
}

/** What endpoints share: the configuration, the keys, and the issuer's URLs. */
export interface ProviderRuntime {
  config: ProviderConfig
  keys: KeyManager
  /** The absolute URL of a path relative to the issuer's path. */
  endpointUrl(path: string): string
}

/** One endpoint: an absolute path, the methods it answers, and its handler. */
export interface Endpoint {
  /** Absolute path matched against the request URL's pathname. */
  readonly pathname: string
  readonly methods: readonly string[]
  /** Whether its responses must never be cached (every credential-bearing endpoint). */
  readonly noStore: boolean
  handle(request: EndpointRequest): Promise<OAuth2Result>
  /** What this endpoint adds to the RFC 8414 / OpenID Connect Discovery metadata. */
  metadata?(): Record<string, unknown>
}
