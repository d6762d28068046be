import { OAuth2Error } from '../errors/oauth2-error.js'
import { detach } from '../internal/retention.js'
import type { ReplayStore } from '../stores/replay-store.js'
import type { AuthenticatedClient, ClientAuthMethod } from './client-auth-method.js'
import type { ClientAuthMethodName, FindClient } from './client-metadata.js'
import { ClientSecretBasic } from './client-secret-basic.js'
import { ClientSecretJwt } from './client-secret-jwt.js'
import { ClientSecretPost } from './client-secret-post.js'
import { NoneAuthMethod } from './none.js'
import { extractCredentials } from './presented-credentials.js'
import { PrivateKeyJwt } from './private-key-jwt.js'

/** How one endpoint authenticates clients. */
export interface ClientAuthenticationPolicy {
  /** The enabled methods, one per IANA name. */
  methods: ReadonlyMap<ClientAuthMethodName, ClientAuthMethod>
  /** The client lookup; without one, secrets are passed to the handler unverified (as in kaapi). */
  findClient: FindClient | undefined
  replay: ReplayStore
  /** The Basic challenge realm (the issuer). */
  realm: string
  /** Accepted assertion audiences: the token endpoint URL and the issuer. */
  audiences: string[]
  maxAssertionLifetime: number
}

/** Turns an IANA method name into its strategy object. */
export function toClientAuthMethod(method: ClientAuthMethod | ClientAuthMethodName): ClientAuthMethod {
  if (typeof method !== 'string') return method
  switch (method) {
    case 'none':
      return new NoneAuthMethod()
    case 'client_secret_basic':
      return new ClientSecretBasic()
    case 'client_secret_post':
      return new ClientSecretPost()
    case 'client_secret_jwt':
      return new ClientSecretJwt()
    case 'private_key_jwt':
      return new PrivateKeyJwt()
    default:
      throw new TypeError(`Unknown client authentication method "${String(method)}". Use one of none, client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt.`)
  }
}

/**
 * Authenticates the client of a request (RFC 6749 §2.3, §3.2.1): finds the one method it used,
 * checks that the endpoint allows it and, with a client lookup, that the client registered it
 * (RFC 7591 `token_endpoint_auth_method`), then lets that method verify the credentials.
 *
 * Every failure is `invalid_client` with 401 and a `WWW-Authenticate: Basic` challenge when the
 * client tried Basic or Basic is allowed (RFC 6749 §5.2); otherwise 400, since a 401 without a
 * challenge is not valid HTTP (RFC 9110 §15.5.2).
 */
export async function authenticateClient(
  authorization: string | null,
  params: Record<string, string>,
  policy: ClientAuthenticationPolicy,
  now: number,
): Promise<AuthenticatedClient> {
  let triedBasic = false
  try {
    const presented = extractCredentials(authorization, params)
    triedBasic = presented.method === 'client_secret_basic'
    if (presented.method === undefined) {
      throw new OAuth2Error('invalid_client', 'Client authentication is required.')
    }
    const method = policy.methods.get(presented.method)
    if (method === undefined) {
      throw new OAuth2Error('invalid_client', `The client authentication method ${presented.method} is not allowed here.`)
    }
    let client
    if (policy.findClient !== undefined) {
      client = (await policy.findClient(presented.clientId)) ?? undefined
      if (client === undefined) {
        throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: `unknown client ${presented.clientId}` })
      }
      // A lookup that matches loosely (a case-insensitive database collation, a prefix) must not let
      // one client authenticate as another: the client_id is compared exactly (RFC 6749 §2.2).
      if (client.client_id !== presented.clientId) {
        throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: `the client lookup answered ${String(client.client_id)} for ${presented.clientId}` })
      }
      const registered = client.token_endpoint_auth_method ?? 'client_secret_basic'
      // Said only in the private detail: the public description is the same as for an unknown
      // client, so a response never tells which client ids exist (no oracle).
      if (registered !== presented.method) {
        throw new OAuth2Error('invalid_client', 'Client authentication failed.', { detail: `the client is registered for ${registered}, not ${presented.method}` })
      }
    }
    // The client id goes into every entry the request stores. The presented one is cut from the
    // request (the form body, the decoded Basic credentials), which holds the client's secret: the
    // registered string, or else a copy of its own, is what is kept (internal/retention.ts).
    presented.clientId = client !== undefined ? client.client_id : detach(presented.clientId)
    const authenticated = method.authenticate(presented, {
      client,
      audiences: policy.audiences,
      now,
      replay: policy.replay,
      maxAssertionLifetime: policy.maxAssertionLifetime,
    })
    // The shared-secret methods answer synchronously: no wait (a turn of the microtask queue) for them.
    return isPromiseLike(authenticated) ? await authenticated : authenticated
  } catch (error) {
    if (error instanceof OAuth2Error && error.error === 'invalid_client') {
      throw challengeInvalidClient(error, triedBasic || isBasicHeader(authorization), policy)
    }
    throw error
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

function isBasicHeader(authorization: string | null): boolean {
  return authorization !== null && /^basic\b/i.test(authorization.trim())
}

/** Gives an `invalid_client` error its RFC 6749 §5.2 status and challenge. */
export function challengeInvalidClient(error: OAuth2Error, triedBasic: boolean, policy: Pick<ClientAuthenticationPolicy, 'methods' | 'realm'>): OAuth2Error {
  // Keep what the error says besides its status: a handler's error_uri must reach the client.
  const options = { detail: error.detail, cause: error.cause, uri: error.uri } as const
  if (triedBasic || policy.methods.has('client_secret_basic')) {
    const realm = policy.realm.replace(/["\\]/g, '')
    return new OAuth2Error('invalid_client', error.description, {
      ...clean(options),
      status: 401,
      headers: { 'www-authenticate': `Basic realm="${realm}"` },
    })
  }
  return new OAuth2Error('invalid_client', error.description, { ...clean(options), status: 400 })
}

function clean<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never
}
