/**
 * `@x/oauth2-hono`: mounts an `@x/oauth2-core` provider in Hono, and protects API routes with its
 * access tokens. Built on Web `Request` / `Response` only, so it runs wherever Hono runs (Node,
 * Bun, Deno, Cloudflare Workers, ...). The adapter only translates; every OAuth decision is the core's.
 *
 * @module
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { bodyTooLargeResult, type AuthenticateResourceOptions, type OAuth2Provider, type OAuth2Result, type ValidAccessToken } from '@x/oauth2-core'
import { isSendableResult, resolveBodyLimit, serverErrorResult, TOO_LARGE, UNREADABLE } from '@x/oauth2-core/adapter'
import { readRequestBody } from './read-body.js'

/** The context variables {@link requireAccessToken} sets: `c.var.oauth2` is the verified token. */
export interface OAuth2Variables {
  oauth2: ValidAccessToken
}

/** The Hono environment of routes behind {@link requireAccessToken}. */
export interface OAuth2Env {
  Variables: OAuth2Variables
}

/** Options of {@link honoOAuth2}. */
export interface HonoOAuth2Options {
  /** The largest request body read, in bytes (default 64 KiB); a larger one is answered 413 `invalid_request`. */
  bodyLimit?: number
  /**
   * The client's network address, which no Web API carries: e.g. `(c) => getConnInfo(c).remote.address`
   * with `hono/conninfo` for your runtime. Used by the device flow's per-address rate limit. One
   * that throws (`getConnInfo` of @hono/node-server does under `app.request()`, which has no socket)
   * means the address is unknown: the core gets `undefined`.
   */
  getClientAddress?: (c: Context) => string | undefined
}

/** Options of {@link requireAccessToken}: the scopes the route needs. */
export type RequireAccessTokenOptions = AuthenticateResourceOptions

// The default body cap (64 KiB) is the core's, the same in every adapter.
export { DEFAULT_BODY_LIMIT } from '@x/oauth2-core/adapter'

/**
 * A sub-app that serves the provider's endpoints (token, JWKS, discovery, ...) and passes every other
 * request on. Mount it with `app.route('/', ...)`: the provider routes by the full path of its
 * issuer, and the RFC 8414 metadata lives at `/.well-known/oauth-authorization-server/<issuer path>`,
 * outside the issuer's path. It reads the raw body itself, capped at `bodyLimit`.
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.route('/', honoOAuth2(provider))
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function honoOAuth2(provider: OAuth2Provider, options: HonoOAuth2Options = {}): Hono {
  const limit = resolveBodyLimit(options.bodyLimit, 'honoOAuth2')
  const { getClientAddress } = options
  const app = new Hono()
  app.use('*', async (c, next) => {
    if (!provider.hasRoute(new URL(c.req.url).pathname)) return next()
    const body = await readRequestBody(c.req.raw, limit)
    // The client went away mid-body: whatever is answered, no one reads it (no 500 logged by onError).
    if (body === UNREADABLE) return new Response(null, { status: 400 })
    if (body === TOO_LARGE) return toResponse(bodyTooLargeResult())
    const clientAddress = getClientAddress === undefined ? undefined : addressOf(c, getClientAddress)
    return toResponse(await provider.handle({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body, clientAddress }))
  })
  return app
}

/** The application's `getClientAddress`, a throw meaning "unknown": the address only feeds a rate limit. */
function addressOf(c: Context, getClientAddress: (c: Context) => string | undefined): string | undefined {
  try {
    return getClientAddress(c)
  } catch {
    return undefined
  }
}

/**
 * Protects the routes after it with the provider's access tokens (RFC 6750): it reads
 * `Authorization: Bearer`, checks the token and the `scopes`, and sets `c.var.oauth2` to the verified
 * token; otherwise it answers the core's 401 / 403 / 400 with its `WWW-Authenticate` challenge.
 *
 * @example
 * ```ts
 * app.get('/api/me', requireAccessToken(provider, { scopes: ['read'] }), (c) => c.json({ client: c.var.oauth2.clientId }))
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function requireAccessToken(provider: OAuth2Provider, options: RequireAccessTokenOptions = {}): MiddlewareHandler<OAuth2Env> {
  return async (c, next) => {
    const auth = await provider.authenticateResourceRequest({ headers: c.req.raw.headers, url: c.req.url }, options)
    if (!auth.ok) return toResponse(auth)
    c.set('oauth2', auth.token)
    await next()
  }
}

/**
 * A core result as a Web `Response`, byte for byte: an empty body stays bodiless (no default content
 * type). A result no runtime can send (a status outside 200-599, a header name that is no token, a
 * value with CR, LF, another control character or a character beyond Latin-1: never what the core
 * hands over, which checks what user callbacks return, but a provider of your own could) becomes the core's generic 500 `server_error` instead, never the exception's
 * text. Checked here, not only by the `Response` constructor: @hono/node-server's own `Response`
 * checks nothing, and Node's refusal would come after this adapter, answered with its message.
 */
function toResponse(result: OAuth2Result): Response {
  if (isSendableResult(result)) {
    try {
      return new Response(result.body === '' ? null : result.body, { status: result.status, headers: result.headers })
    } catch {
      // Refused by the runtime's Response all the same (a body with a 204, ...): the generic 500 below.
    }
  }
  const error = serverErrorResult()
  return new Response(error.body, { status: error.status, headers: error.headers })
}
