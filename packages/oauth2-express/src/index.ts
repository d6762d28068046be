/**
 * `@x/oauth2-express`: mounts an `@x/oauth2-core` provider in Express 5, and protects API routes with
 * its access tokens. The adapter only translates; every OAuth decision is the core's.
 *
 * @module
 */
import type { RequestHandler } from 'express'
import { bodyTooLargeResult, type AuthenticateResourceOptions, type OAuth2Provider, type ValidAccessToken } from '@x/oauth2-core'
import { readBody, requestPathname, resolveBodyLimit, TOO_LARGE } from '@x/oauth2-core/adapter'
import { sendResult } from './send-result.js'

declare global {
  // Express's documented way to type request extensions is merging into its global namespace.
  namespace Express {
    interface Request {
      /** The verified access token, set by {@link requireAccessToken}. */
      oauth2?: ValidAccessToken
    }
  }
}

/** Options of {@link expressOAuth2}. */
export interface ExpressOAuth2Options {
  /** The largest request body read, in bytes (default 64 KiB); a larger one is answered 413 `invalid_request`. */
  bodyLimit?: number
}

/** Options of {@link requireAccessToken}: the scopes the route needs. */
export type RequireAccessTokenOptions = AuthenticateResourceOptions

// The default body cap (64 KiB) is the core's, the same in every adapter.
export { DEFAULT_BODY_LIMIT } from '@x/oauth2-core/adapter'

/**
 * A middleware that serves the provider's endpoints (token, JWKS, discovery, ...) and passes every other
 * request on with `next()`. Mount it at the root, before any body parser: it reads the raw body itself
 * (RFC 6749 §3.2 forbids repeated parameters, which parsed bodies hide), capped at `bodyLimit`.
 *
 * @example
 * ```ts
 * const app = express()
 * app.use(expressOAuth2(provider))
 * app.use(express.json()) // body parsers after it
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export function expressOAuth2(provider: OAuth2Provider, options: ExpressOAuth2Options = {}): RequestHandler {
  const limit = resolveBodyLimit(options.bodyLimit, 'expressOAuth2')
  // A plain middleware, not a Router: a Router's own layer matching costs every request of the app.
  return async (req, res, next) => {
    // The full original path: the provider routes by its issuer's path, wherever this middleware is mounted.
    const url = req.originalUrl
    if (!provider.hasRoute(requestPathname(url, provider.issuer))) return next()
    if (req.readableDidRead || req.readableEnded) {
      return next(new Error('expressOAuth2: the request body was already read, probably by a body parser. Mount expressOAuth2() before express.urlencoded() and other body parsers.'))
    }
    let body: string | undefined
    // A GET or HEAD request has no body (Fetch builds its Request with none): it is neither read nor capped.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      let read: string | typeof TOO_LARGE
      try {
        read = await readBody(req, { limit, contentLength: req.headers['content-length'] })
      } catch {
        // The body's source failed: the client went away mid-body (aborted, reset). No one is left to answer.
        return void res.destroy()
      }
      if (read === TOO_LARGE) return sendResult(res, bodyTooLargeResult())
      body = read
    }
    // req.ip is the socket's address unless the app trusts a proxy ('trust proxy'), then the client's.
    sendResult(res, await provider.handle({ method: req.method, url, headers: req.rawHeaders, body, clientAddress: req.ip }))
  }
}

/**
 * Protects the routes after it with the provider's access tokens (RFC 6750): it reads
 * `Authorization: Bearer`, checks the token and the `scopes`, and sets `req.oauth2` to the verified
 * token; otherwise it answers the core's 401 / 403 / 400 with its `WWW-Authenticate` challenge.
 *
 * @example
 * ```ts
 * app.get('/api/me', requireAccessToken(provider, { scopes: ['read'] }), (req, res) => {
 *   res.json({ client: req.oauth2?.clientId })
 * })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export function requireAccessToken(provider: OAuth2Provider, options: RequireAccessTokenOptions = {}): RequestHandler {
  return async (req, res, next) => {
    const auth = await provider.authenticateResourceRequest({ headers: req.rawHeaders, url: req.originalUrl }, options)
    if (!auth.ok) return sendResult(res, auth)
    req.oauth2 = auth.token
    next()
  }
}
