import type { ClientAuthMethod } from '../client-auth/client-auth-method.js'
import type { FindClient } from '../client-auth/client-metadata.js'
import type { ErrorHook, FlowConfig, ProviderConfig } from '../config.js'
import { MemoryStore } from '../stores/memory-store.js'
import type { OAuth2Store } from '../stores/oauth2-store.js'
import { replayStoreFrom, type ReplayStore } from '../stores/replay-store.js'
import type { KeyRotationOptions } from '../tokens/key-manager.js'
import { InMemoryKeyStore, SIGNING_ALGORITHMS, type KeyStore, type SigningAlgorithm } from '../tokens/key-store.js'
import { JwksRoute } from './routes.js'

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
  maxAssertionLifetime?: number
  jwksPath?: string
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

  /** Serves the JWKS (default path `/oauth2/keys`). OIDC builders and JWT access tokens always do. */
  jwksRoute(configure?: (route: JwksRoute) => unknown): this {
    const route = new JwksRoute()
    configure?.(route)
    this.settings.jwksPath = route.path
    return this
  }
}

/** Turns settings and flows into the engine's configuration, or throws a message that says how to fix it. */
export function resolveProviderConfig(settings: ProviderSettings, flows: FlowConfig[]): ProviderConfig {
  const issuer = checkIssuer(settings.issuer)
  for (const flow of flows) {
    for (const method of flow.authMethods.values()) {
      const problem = (method as ClientAuthMethod).configurationError?.(settings.findClient !== undefined)
      if (problem !== undefined) throw new TypeError(problem)
    }
  }
  const now = settings.now ?? Date.now
  const store = settings.store ?? new MemoryStore({ now })
  const needsJwks = flows.some((f) => f.oidc || f.jwtAccessTokens || 'openid' in f.scopes)
  return {
    issuer,
    flows,
    jwksPath: settings.jwksPath ?? (needsJwks ? '/oauth2/keys' : undefined),
    keyStore: settings.keyStore ?? new InMemoryKeyStore(),
    rotation: settings.rotation,
    accessTokenAlgorithm: settings.accessTokenAlgorithm ?? 'RS256',
    accessTokenAudience: settings.accessTokenAudience,
    findClient: settings.findClient,
    store,
    replayStore: settings.replayStore ?? replayStoreFrom(store),
    now,
    onError: settings.onError,
    maxAssertionLifetime: settings.maxAssertionLifetime ?? 300,
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
