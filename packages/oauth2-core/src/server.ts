import type { ProviderConfig } from './config.js'
import type { Endpoint, EndpointRequest, ProviderRuntime } from './endpoints/endpoint.js'
import { createDiscoveryEndpoints, mergeAdditionalConfiguration, withRequiredFields } from './endpoints/discovery.js'
import { createIntrospectionEndpoint } from './endpoints/introspection.js'
import { createJwksEndpoint } from './endpoints/jwks.js'
import { createRevocationEndpoint } from './endpoints/revocation.js'
import { createTokenEndpoint, type TokenEndpointEntry } from './endpoints/token.js'
import { OAuth2Error } from './errors/oauth2-error.js'
import { reportError } from './errors/report-error.js'
import { errorToResult, NO_STORE_HEADERS, serverErrorResult } from './errors/to-result.js'
import { headerLookup, type HeaderLookup } from './internal/headers.js'
import {
  authenticateResourceRequest,
  type AuthenticateResourceOptions,
  type ResourceAuthentication,
  type ResourceRequest,
} from './resource/protect-resource.js'
import { KeyManager } from './tokens/key-manager.js'
import type { SigningAlgorithm } from './tokens/key-store.js'
import type { JWK } from 'jose'
import type { OAuth2Request, OAuth2Result } from './types.js'
import { plainPathname } from './internal/plain-path.js'
import { forgetLastMatch } from './internal/retention.js'

/**
 * A built authorization server: one function from a plain request to a plain result, plus what an
 * adapter or an operator needs around it. Build it with a builder (`...Builder.create()...build()`).
 */
export class OAuth2Provider {
  /** The issuer identifier. */
  readonly issuer: string
  /** The issuer's origin as the URL parser serializes it (`https://as.example.com`). */
  readonly #origin: string
  readonly #config: ProviderConfig
  readonly #keys: KeyManager
  readonly #endpoints = new Map<string, Endpoint>()
  readonly #endpointUrl: (path: string) => string
  readonly #runtime: ProviderRuntime

  /** @internal Use a builder; it validates the configuration first. */
  constructor(config: ProviderConfig) {
    this.#config = config
    this.issuer = config.issuer
    const issuerUrl = new URL(config.issuer)
    this.#origin = issuerUrl.origin
    const base = issuerUrl.pathname.replace(/\/+$/, '')
    const pathnameOf = (path: string) => `${base}${path}`
    const endpointUrl = (path: string) => `${issuerUrl.origin}${pathnameOf(path)}`
    this.#endpointUrl = endpointUrl

    const algorithms = new Set<SigningAlgorithm>([config.accessTokenAlgorithm])
    if (config.flows.some((f) => f.oidc || 'openid' in f.scopes)) algorithms.add('RS256')
    this.#keys = new KeyManager({
      store: config.keyStore,
      algorithms: [...algorithms],
      ...(config.rotation !== undefined ? { rotation: config.rotation } : {}),
      now: config.now,
    })

    const runtime: ProviderRuntime = { config, keys: this.#keys, endpointUrl }
    this.#runtime = runtime
    const tokenEntries = new Map<string, TokenEndpointEntry[]>()
    for (const flow of config.flows) {
      for (const grant of flow.grants) {
        const list = tokenEntries.get(grant.path) ?? []
        list.push({ flow, grant })
        tokenEntries.set(grant.path, list)
      }
    }
    for (const [path, entries] of tokenEntries) this.#add(createTokenEndpoint(pathnameOf(path), entries, runtime))
    if (config.jwksPath !== undefined) this.#add(createJwksEndpoint(pathnameOf(config.jwksPath), config.jwksPath, runtime))
    // RFC 7009 token revocation and RFC 7662 token introspection.
    if (config.revocation !== undefined) this.#add(createRevocationEndpoint(pathnameOf(config.revocation.path), config.revocation, runtime))
    if (config.introspection !== undefined) this.#add(createIntrospectionEndpoint(pathnameOf(config.introspection.path), config.introspection, runtime))
    // Flow endpoints (authorization, device authorization, userinfo); a shared `key` is served once.
    const served = new Set<string>()
    for (const flow of config.flows) {
      for (const endpoint of flow.endpoints ?? []) {
        if (endpoint.key !== undefined) {
          if (served.has(endpoint.key)) continue
          served.add(endpoint.key)
        }
        this.#add(endpoint.create(pathnameOf(endpoint.path), runtime, flow))
      }
    }
    // RFC 8414 §3 always; OpenID Connect Discovery §4 when a flow is an OpenID Connect one.
    for (const endpoint of createDiscoveryEndpoints(config.issuer, config.flows.some((f) => f.oidc), () => this.metadata())) this.#add(endpoint)
  }

  #add(endpoint: Endpoint): void {
    const existing = this.#endpoints.get(endpoint.pathname)
    if (existing !== undefined) {
      throw new TypeError(`Two endpoints share the path ${endpoint.pathname}; give one of them another path with setPath().`)
    }
    this.#endpoints.set(endpoint.pathname, endpoint)
  }

  /**
   * Handles one request. Never rejects: protocol errors become RFC 6749 §5.2 results, anything
   * unexpected a 500 `server_error` whose cause goes to the `onError` hook and nowhere else.
   * A path that is not an endpoint of this provider gives a 404 with an empty body.
   */
  async handle(request: OAuth2Request): Promise<OAuth2Result> {
    let endpoint: Endpoint | undefined
    try {
      const req = new RequestTarget(request, this.issuer, this.#origin)
      endpoint = this.#endpoints.get(req.pathname)
      if (endpoint === undefined) return { status: 404, headers: {}, body: '' }
      if (!endpoint.methods.includes(req.method)) {
        return errorToResult(
          new OAuth2Error('invalid_request', `The ${endpoint.methods[0]} method is required here.`, {
            status: 405,
            headers: { allow: endpoint.methods.join(', ') },
          }),
          endpoint.noStore ? NO_STORE_HEADERS : {},
        )
      }
      return await endpoint.handle(req)
    } catch (error) {
      const noStore = endpoint === undefined || endpoint.noStore ? NO_STORE_HEADERS : {}
      if (error instanceof OAuth2Error) return errorToResult(error, noStore)
      this.#report(error, request)
      return serverErrorResult(noStore)
    } finally {
      // The request's patterns ran on its body and headers: none of them stays as RegExp.input.
      forgetLastMatch()
    }
  }

  /** Whether `pathname` is one of this provider's endpoints (adapters pass other requests on). */
  hasRoute(pathname: string): boolean {
    return this.#endpoints.has(pathname)
  }

  /** The absolute paths this provider answers, for adapters that register routes. */
  get routes(): ReadonlyArray<{ pathname: string; methods: readonly string[] }> {
    return [...this.#endpoints.values()].map(({ pathname, methods }) => ({ pathname, methods }))
  }

  /**
   * Authenticates a request to a protected resource (an API route) by the `Authorization: Bearer`
   * access token this provider issued, and checks the scopes it needs. Never rejects: the failure
   * is the complete RFC 6750 §3 response (401 with a `WWW-Authenticate: Bearer` challenge,
   * `invalid_token`, 403 `insufficient_scope`, 400 `invalid_request`) for an adapter to send as is.
   *
   * @example
   * ```ts
   * const auth = await provider.authenticateResourceRequest({ headers }, { scopes: ['read'] })
   * if (!auth.ok) return new Response(auth.body, { status: auth.status, headers: auth.headers })
   * auth.token.sub // the verified token
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
   * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
   */
  async authenticateResourceRequest(request: ResourceRequest, options: AuthenticateResourceOptions = {}): Promise<ResourceAuthentication> {
    try {
      return await authenticateResourceRequest(request, options, this.#runtime)
    } catch (error) {
      this.#report(error, { method: '', url: request?.url ?? '', headers: request?.headers ?? {} })
      return { ok: false, ...serverErrorResult() }
    }
  }

  /**
   * The authorization server metadata (RFC 8414 §2), generated from the configuration: every
   * endpoint contributes its URL and capabilities, so what is advertised is what is served.
   */
  metadata(): Record<string, unknown> {
    const document: Record<string, unknown> = { issuer: this.issuer }
    for (const endpoint of this.#endpoints.values()) {
      for (const [name, value] of Object.entries(endpoint.metadata?.() ?? {})) {
        const existing = document[name]
        document[name] = Array.isArray(existing) && Array.isArray(value) ? [...new Set([...existing, ...value])] : value
      }
    }
    const scopes = new Set(this.#config.flows.flatMap((flow) => Object.keys(flow.scopes)))
    if (scopes.size > 0) document['scopes_supported'] = [...scopes]
    // What the discovery endpoints serve, field for field: the REQUIRED fields filled in too.
    return withRequiredFields(
      mergeAdditionalConfiguration(document, this.#config.additionalConfiguration, this.#endpointUrl),
      this.#config.flows.some((f) => f.oidc),
    )
  }

  /** The public JWK Set (what the JWKS endpoint serves). */
  jwks(): Promise<{ keys: JWK[] }> {
    return this.#keys.jwks()
  }

  /** Runs due key-rotation work now (kaapi's name); signing and publishing also run it on their own. */
  checkAndRotateKeys(): Promise<void> {
    return this.#keys.checkAndRotateKeys()
  }

  /** Starts signing with a fresh key at once, e.g. after a suspected key compromise. */
  rotateKeys(): Promise<void> {
    return this.#keys.rotateNow()
  }

  #report(error: unknown, request: OAuth2Request): void {
    reportError(this.#config.onError, error, request)
  }
}

/**
 * The request as endpoints see it: its pathname (what endpoints are routed by) and its URL resolved
 * against the issuer, built only when an endpoint reads the query. A plain path-absolute target
 * (`/token`, what Node adapters pass) is its own pathname, as `new URL(target, issuer).pathname`
 * would give it, and so is the path of an absolute URL on the issuer's origin (what Web adapters pass); anything else (an absolute URL, dot segments, escapes, ...) goes through the URL
 * parser at once, whose refusal is the client's error. A class, not a literal with a getter: one is
 * built per request, and a literal's accessor is allocated anew each time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
 */
class RequestTarget implements EndpointRequest {
  readonly request: OAuth2Request
  readonly method: string
  readonly pathname: string
  readonly #issuer: string
  #url: URL | undefined
  #headers: HeaderLookup | undefined

  constructor(request: OAuth2Request, issuer: string, origin: string) {
    this.request = request
    this.#issuer = issuer
    this.method = typeof request?.method === 'string' ? upperCaseMethod(request.method) : ''
    const target: unknown = request?.url
    let plain: string | undefined
    if (typeof target === 'string') {
      plain = plainPathname(target)
      // An absolute URL on the issuer's own origin (what Web adapters pass): the rest is its path.
      if (plain === undefined && target.startsWith(origin) && target.charCodeAt(origin.length) === 0x2f) plain = plainPathname(target.slice(origin.length))
    }
    if (plain !== undefined) {
      this.pathname = plain
    } else {
      this.#url = parseRequestUrl(target, issuer)
      this.pathname = this.#url.pathname
    }
  }

  get url(): URL {
    return (this.#url ??= parseRequestUrl(this.request.url, this.#issuer))
  }

  get headers(): HeaderLookup {
    return (this.#headers ??= headerLookup(this.request.headers))
  }
}

/** The method in upper case, as the endpoints list theirs; what clients send is so already (`toUpperCase` is a runtime call). */
function upperCaseMethod(method: string): string {
  return method === 'POST' || method === 'GET' ? method : method.toUpperCase()
}

/** The request URL, resolved against the issuer; an unparseable one is the client's error. */
function parseRequestUrl(url: unknown, issuer: string): URL {
  try {
    return new URL(typeof url === 'string' ? url : '', issuer)
  } catch {
    throw new OAuth2Error('invalid_request', 'The request URL is malformed.')
  }
}
