import type { ClientAuthMethod } from '../client-auth/client-auth-method.js'
import type { FindClient } from '../client-auth/client-metadata.js'
import type { SecurityEventHook } from '../security-events.js'
import type { ErrorHook, FlowConfig, ProviderConfig } from '../config.js'
import { MemoryStore } from '../stores/memory-store.js'
import type { OAuth2Store } from '../stores/oauth2-store.js'
import { replayStoreFrom, type ReplayStore } from '../stores/replay-store.js'
import { resolveRequestLimits, type RequestLimits } from '../schemas/limits.js'
import type { KeyRotationOptions } from '../tokens/key-manager.js'
import { InMemoryKeyStore, SIGNING_ALGORITHMS, type KeyStore, type SigningAlgorithm } from '../tokens/key-store.js'
import { JwksRoute } from './routes.js'
import { IntrospectionRoute, RevocationRoute } from './token-management-routes.js'

/** Provider-wide settings, shared by the flow builders and `MultipleFlowsBuilder`. */
export interface ProviderSettings {
  issuer?: string
  keyStore?: KeyStore
  rotation?: KeyRotationOptions
  accessTokenAlgorithm?: SigningAlgorithm
  accessTokenAudience?: string | string[]
  findClient?: FindClient
  replayStore?: ReplayStore
  store?: OAuth2Store
  now?: () => number
  onError?: ErrorHook
  onSecurityEvent?: SecurityEventHook
  maxAssertionLifetime?: number
  limits?: Partial<RequestLimits>
  jwksPath?: string
  additionalConfiguration?: Record<string, unknown>
  revocation?: RevocationRoute
  introspection?: IntrospectionRoute
}

/**
 * The builder methods that configure the provider as a whole: issuer, keys, client lookup, clock,
 * error hook. Every flow builder has them, and so does `MultipleFlowsBuilder`.
 */
export abstract class ProviderSettingsBuilder {
  /** @internal */ protected settings: ProviderSettings = {}

  /**
   * The issuer identifier (RFC 8414 §2): an https URL (http only on localhost), without query or
   * fragment. Required: the issuer is never taken from the request's Host header. Endpoint paths
   * are relative to its path, so `https://example.com/auth` serves `/auth/oauth2/token`.
   */
  setIssuer(issuer: string): this {
    this.settings.issuer = issuer
    return this
  }

  /** Where signing keys are kept (default: in memory). */
  setJwksKeyStore(store: KeyStore): this {
    this.settings.keyStore = store
    return this
  }

  /** How long a superseded signing key stays published, in seconds (kaapi's name). */
  setPublicKeyExpiry(seconds: number): this {
    this.settings.rotation = { ...this.settings.rotation, retentionMs: positive(seconds, 'setPublicKeyExpiry') * 1000 }
    return this
  }

  /** Signing-key rotation: `intervalMs` (default 30 days), `prepublishMs` (1 day), `retentionMs`. */
  setJwksRotatorOptions(options: KeyRotationOptions): this {
    this.settings.rotation = { ...this.settings.rotation, ...options }
    return this
  }

  /** The algorithm of JWT access tokens: `RS256` (default), `ES256` or `EdDSA`. ID tokens follow the client's registration. */
  setSigningAlgorithm(alg: SigningAlgorithm): this {
    if (!SIGNING_ALGORITHMS.includes(alg)) throw new TypeError(`setSigningAlgorithm: use one of ${SIGNING_ALGORITHMS.join(', ')}.`)
    this.settings.accessTokenAlgorithm = alg
    return this
  }

  /** The `aud` of JWT access tokens (RFC 9068 §3: the resource server). Default: the issuer. */
  setAccessTokenAudience(audience: string | string[]): this {
    this.settings.accessTokenAudience = audience
    return this
  }

  /**
   * The client lookup. With it, the core authenticates clients fully: registered method enforced,
   * secrets compared in constant time, assertions verified against the client's keys, grant types
   * and scopes checked. Without it, presented credentials go to the handler unverified (as in kaapi).
   */
  findClient(fn: FindClient): this {
    if (typeof fn !== 'function') throw new TypeError('findClient(fn) needs a function.')
    this.settings.findClient = fn
    return this
  }

  /**
   * Where the server remembers what it issues: codes, device codes, refresh-token families, revoked
   * grants, single-use values. Default: a `MemoryStore` in this process. Give several instances one
   * shared store.
   */
  setStore(store: OAuth2Store): this {
    this.settings.store = store
    return this
  }

  /** Where single-use values (client-assertion `jti`) are remembered (default: the store). */
  setReplayStore(store: ReplayStore): this {
    this.settings.replayStore = store
    return this
  }

  /** The clock, in epoch milliseconds (default `Date.now`); inject one in tests. */
  setClock(now: () => number): this {
    this.settings.now = now
    return this
  }

  /**
   * Receives security events the core detected and acted upon: a reused refresh token (the grant is
   * revoked, RFC 9700 §4.14.2), a reused authorization code (RFC 6749 §4.1.2). Wire it to alerting.
   */
  onSecurityEvent(hook: SecurityEventHook): this {
    if (typeof hook !== 'function') throw new TypeError('onSecurityEvent(hook) needs a function.')
    this.settings.onSecurityEvent = hook
    return this
  }

  /** Receives unexpected errors; the client only ever sees a generic `server_error`. */
  onError(hook: ErrorHook): this {
    this.settings.onError = hook
    return this
  }

  /** Longest accepted client-assertion lifetime in seconds (default 300). */
  setMaxAssertionLifetime(seconds: number): this {
    this.settings.maxAssertionLifetime = positive(seconds, 'setMaxAssertionLifetime')
    return this
  }

  /**
   * Limits on what one request may make the server read: `maxBodyLength` (default 65536
   * characters, answered 413), `maxParameterLength` (8192, for every protocol parameter the core
   * reads) and `maxScopeTokens` (100). Each exceeded limit is an `invalid_request` that names it.
   * Calls accumulate; a bad value throws a `TypeError` at `build()`.
   *
   * @example
   * ```ts
   * .setRequestLimits({ maxParameterLength: 2048, maxScopeTokens: 20 })
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
   */
  setRequestLimits(limits: Partial<RequestLimits>): this {
    if (typeof limits !== 'object' || limits === null) throw new TypeError('setRequestLimits(limits) needs an object such as { maxParameterLength: 4096 }.')
    this.settings.limits = { ...this.settings.limits, ...limits }
    return this
  }

  /** Serves the JWKS (default path `/oauth2/keys`). OIDC builders and JWT access tokens always do. */
  jwksRoute(configure?: (route: JwksRoute) => unknown): this {
    const route = new JwksRoute()
    configure?.(route)
    this.settings.jwksPath = route.path
    return this
  }

  /**
   * Configures the token revocation endpoint (RFC 7009), served by default at `/oauth2/revoke`:
   * `route.setPath(path)` moves it, `route.disable()` removes it.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7009
   */
  revocationRoute(configure: (route: RevocationRoute) => unknown): this {
    const route = this.settings.revocation ?? new RevocationRoute()
    configure(route)
    this.settings.revocation = route
    return this
  }

  /**
   * Configures the token introspection endpoint (RFC 7662), served by default at
   * `/oauth2/introspect` when there is a client lookup: `route.setPath(path)`,
   * `route.canIntrospect(fn)`, `route.disable()`.
   *
   * @see https://www.rfc-editor.org/rfc/rfc7662
   */
  introspectionRoute(configure: (route: IntrospectionRoute) => unknown): this {
    const route = this.settings.introspection ?? new IntrospectionRoute()
    configure(route)
    this.settings.introspection = route
    return this
  }

  /**
   * Extra fields for the discovery documents (`/.well-known/openid-configuration` and
   * `/.well-known/oauth-authorization-server`), shallow-merged over the generated ones (kaapi's
   * name). A relative `*_endpoint` / `*_uri` value is resolved against the issuer. Calls accumulate.
   *
   * @example
   * ```ts
   * .additionalConfiguration({ service_documentation: 'https://docs.example.com', end_session_endpoint: '/logout' })
   * ```
   * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
   */
  additionalConfiguration(fields: Record<string, unknown>): this {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new TypeError('additionalConfiguration(fields) needs an object of metadata fields.')
    }
    this.settings.additionalConfiguration = { ...this.settings.additionalConfiguration, ...fields }
    return this
  }
}

/** Turns settings and flows into the engine's configuration, or throws a message that says how to fix it. */
export function resolveProviderConfig(settings: ProviderSettings, flows: FlowConfig[]): ProviderConfig {
  const issuer = checkIssuer(settings.issuer)
  const now = settings.now ?? Date.now
  const store = settings.store ?? new MemoryStore({ now })
  // The builder's findClient wins; a store that keeps clients is the other client source.
  const storeFindClient = store.findClient
  const findClient = settings.findClient ?? (storeFindClient !== undefined ? (clientId: string) => storeFindClient.call(store, clientId) : undefined)
  for (const flow of flows) {
    for (const method of flow.authMethods.values()) {
      const problem = (method as ClientAuthMethod).configurationError?.(findClient !== undefined)
      if (problem !== undefined) throw new TypeError(problem)
    }
  }
  checkDefaultHandlers(flows, findClient !== undefined)
  checkCodeRedemption(flows, findClient !== undefined)
  checkTokenTypes(flows)
  if (settings.keyStore !== undefined) checkKeyStore(settings.keyStore)
  const needsJwks = flows.some((f) => f.oidc || f.jwtAccessTokens || 'openid' in f.scopes)
  return {
    issuer,
    flows,
    jwksPath: settings.jwksPath ?? (needsJwks ? '/oauth2/keys' : undefined),
    keyStore: settings.keyStore ?? new InMemoryKeyStore(),
    rotation: settings.rotation,
    accessTokenAlgorithm: settings.accessTokenAlgorithm ?? 'RS256',
    accessTokenAudience: settings.accessTokenAudience,
    findClient,
    store,
    replayStore: settings.replayStore ?? replayStoreFrom(store),
    now,
    onError: settings.onError,
    onSecurityEvent: settings.onSecurityEvent,
    maxAssertionLifetime: settings.maxAssertionLifetime ?? 300,
    limits: resolveRequestLimits(settings.limits),
    ...(settings.additionalConfiguration !== undefined ? { additionalConfiguration: settings.additionalConfiguration } : {}),
    ...tokenManagementEndpoints(settings, flows, findClient !== undefined),
  }
}

/**
 * Only Bearer tokens (RFC 6750) are issued: a token type such as kaapi's `DPoP` would announce
 * sender-constrained tokens that nothing binds to a proof (RFC 9449 §5), so it is refused until
 * DPoP is implemented, rather than issued as a Bearer token under another name.
 */
function checkTokenTypes(flows: FlowConfig[]): void {
  for (const flow of flows) {
    const prefix: unknown = flow.tokenType?.prefix
    if (typeof prefix !== 'string' || prefix.toLowerCase() !== 'bearer') {
      throw new TypeError(
        `${flow.name}: setTokenType() with the token type ${JSON.stringify(prefix)}: only Bearer tokens (RFC 6750) are issued; ` +
          'DPoP (RFC 9449) is not implemented, and a DPoP token_type bound to no proof would mislead resource servers.',
      )
    }
  }
}

/** A key store is `list`, `put`, `delete` (docs/keys-and-tokens.md); kaapi's `JwksKeyStore` has other methods and would fail at the first signature. */
function checkKeyStore(store: KeyStore): void {
  const methods = ['list', 'put', 'delete'] as const
  const missing = methods.filter((name) => typeof (store as unknown as Record<string, unknown> | null)?.[name] !== 'function')
  if (missing.length > 0) {
    throw new TypeError(
      `setJwksKeyStore(store): the store has no ${missing.join(', ')} method. A key store implements list(), put(key) and delete(kid) ` +
        "(see docs/keys-and-tokens.md); kaapi's JwksKeyStore (storeKeyPair, getPrivateKey, getPublicKeys) is not this interface.",
    )
  }
}

/** The core's client_credentials handler issues tokens to whoever authenticates: it needs a client lookup to verify secrets. */
function checkDefaultHandlers(flows: FlowConfig[], hasClientLookup: boolean): void {
  if (hasClientLookup) return
  const flow = flows.find((f) => f.grants.some((g) => g.grant.grantType === 'client_credentials' && g.generateToken === undefined))
  if (flow !== undefined) {
    throw new TypeError(
      `${flow.name}: without tokenRoute(route => route.generateToken(fn)) the core issues client_credentials tokens itself, ` +
        'and must verify client secrets: add findClient(fn) (or a store with findClient), or write a generateToken handler.',
    )
  }
}

/**
 * RFC 6749 §4.1.3: the core redeems its own authorization codes only for clients it can
 * authenticate. Without a client lookup it cannot check a secret, so a flow whose only methods are
 * secrets could never redeem one of its codes.
 */
function checkCodeRedemption(flows: FlowConfig[], hasClientLookup: boolean): void {
  if (hasClientLookup) return
  const secretsOnly = (flow: FlowConfig) => [...flow.authMethods.keys()].every((name) => name === 'client_secret_basic' || name === 'client_secret_post')
  const flow = flows.find((f) => secretsOnly(f) && f.grants.some((g) => g.grant.grantType === 'authorization_code' && g.grant.resolve !== undefined))
  if (flow !== undefined) {
    throw new TypeError(
      `${flow.name}: the core redeems its authorization codes only for clients it can authenticate, and without a client lookup it cannot check a client secret: ` +
        'add findClient(fn) (or a store with findClient), or accept public clients with withPkce() (the none method).',
    )
  }
}

/** RFC 7009 revocation (always, unless disabled) and RFC 7662 introspection (with a client lookup, unless disabled). */
function tokenManagementEndpoints(settings: ProviderSettings, flows: FlowConfig[], hasClientLookup: boolean): Pick<ProviderConfig, 'revocation' | 'introspection'> {
  const revocation = settings.revocation ?? new RevocationRoute()
  const introspection = settings.introspection
  const confidentialMethods = flows.some((f) => [...f.authMethods.keys()].some((name) => name !== 'none'))
  if (introspection?.enabled === true && !(hasClientLookup && confidentialMethods)) {
    throw new TypeError(
      'introspectionRoute: only authenticated clients may introspect (RFC 7662 §2.1): add findClient(fn) (or a store with findClient) ' +
        'and a client authentication method other than none, or disable it with introspectionRoute(route => route.disable()).',
    )
  }
  const serveIntrospection = introspection === undefined ? hasClientLookup && confidentialMethods : introspection.enabled
  return {
    ...(revocation.enabled ? { revocation: { path: revocation.path } } : {}),
    ...(serveIntrospection ? { introspection: { path: introspection?.path ?? '/oauth2/introspect', canIntrospect: introspection?.policy } } : {}),
  }
}

/** RFC 8414 §2: "a URL that uses the https scheme and has no query or fragment components". */
function checkIssuer(issuer: string | undefined): string {
  if (issuer === undefined) {
    throw new TypeError('setIssuer(url) is required: the issuer is configured, never taken from the Host header.')
  }
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new TypeError(`setIssuer: "${issuer}" is not an absolute URL.`)
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new TypeError(`setIssuer: "${issuer}" must use https (http is only accepted for localhost).`)
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
    throw new TypeError(`setIssuer: "${issuer}" must not have a query or fragment (RFC 8414 §2).`)
  }
  return issuer
}

function positive(value: number, what: string): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new TypeError(`${what}: expected a positive number.`)
  return value
}
