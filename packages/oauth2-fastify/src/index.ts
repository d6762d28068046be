/**
 * `@x/oauth2-fastify`: Fastify 5 plugins that mount an `@x/oauth2-core` provider and protect API
 * routes with its access tokens. The plugins only translate; every OAuth decision is the core's.
 *
 * @module
 */
import type { IncomingMessage } from 'node:http'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { bodyTooLargeResult, type OAuth2Provider, type ValidAccessToken } from '@x/oauth2-core'
import { readBody, requestPathname, resolveBodyLimit, serverErrorResult, TOO_LARGE, UNREADABLE } from '@x/oauth2-core/adapter'
import { sendResult, sendResultOrServerError as send } from './send-result.js'
import { toOAuth2Request } from './to-request.js'
import type { RequireAccessTokenOptions } from './resource.js'

export { fastifyOAuth2Resource, type FastifyOAuth2ResourceOptions, type RequireAccessTokenOptions } from './resource.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token, set by `requireAccessToken()`; `null` on unprotected routes. */
    oauth2: ValidAccessToken | null
  }
  interface FastifyInstance {
    /** A `preHandler` that protects a route with the provider's access tokens (RFC 6750). */
    requireAccessToken(options?: RequireAccessTokenOptions): preHandlerAsyncHookHandler
  }
}

/** Options of {@link fastifyOAuth2}. */
export interface FastifyOAuth2Options {
  provider: OAuth2Provider
  /** The largest request body read, in bytes (default 64 KiB); a larger one is answered 413 `invalid_request`. */
  bodyLimit?: number
}

// The default body cap (64 KiB) is the core's, the same in every adapter.
export { DEFAULT_BODY_LIMIT } from '@x/oauth2-core/adapter'

/** What Node and Fastify throw for a response they refuse to write: a header name, a header value, a status. */
const UNWRITABLE = new Set(['ERR_INVALID_HTTP_TOKEN', 'ERR_INVALID_CHAR', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_HTTP_INVALID_STATUS_CODE', 'FST_ERR_BAD_STATUS_CODE'])

const unreadable = (): typeof UNREADABLE => UNREADABLE

const oauth2: FastifyPluginAsync<FastifyOAuth2Options> = async (fastify, { provider, bodyLimit }) => {
  const limit = resolveBodyLimit(bodyLimit, 'fastifyOAuth2')
  const read = (payload: IncomingMessage, request: FastifyRequest) =>
    readBody(payload, { limit, contentLength: request.headers['content-length'] }).then(undefined, unreadable)
  // Scoped to this plugin: its routes read every body raw (RFC 6749 §3.2: duplicates must be seen),
  // and the application's own parsers stay as they are.
  fastify.removeAllContentTypeParsers()
  const parser = (request: FastifyRequest, payload: IncomingMessage) => read(payload, request)
  fastify.addContentTypeParser('*', parser)
  // The same reader, also named for the token endpoint's content type: Fastify caches the parser it
  // finds for a named type, but looks for the catch-all again on every request, parsing the
  // Content-Type each time (~2k instructions per request).
  fastify.addContentTypeParser('application/x-www-form-urlencoded', parser)

  /** Hands the provider's answer to Fastify; settles once it has, and never rejects. */
  function handle(request: FastifyRequest, reply: FastifyReply, body: unknown): Promise<void> {
    if (body === UNREADABLE) {
      // No one is left to answer: end the request here, without Fastify's error handler logging a 500.
      reply.hijack()
      reply.raw.destroy()
      return Promise.resolve()
    }
    if (body === TOO_LARGE) {
      // A path Fastify matched loosely (a percent-encoded letter, ...) that the provider does not
      // serve is the framework's to answer, whatever its body.
      if (!provider.hasRoute(requestPathname(request.url, provider.issuer))) reply.callNotFound()
      else sendResult(reply, bodyTooLargeResult())
      return Promise.resolve()
    }
    return provider
      .handle(toOAuth2Request(request, typeof body === 'string' ? body : undefined))
      .then((result) => {
        // A path Fastify matched loosely (ignoreTrailingSlash, ...) that the provider does not serve.
        if (result.status === 404 && result.body === '') reply.callNotFound()
        else send(reply, result)
      })
      .catch((error: unknown) => {
        // Fastify's own failure (callNotFound): its error handlers decide.
        reply.send(error)
      })
  }

  // Fastify answers a Content-Type it cannot parse with its own 415 before any parser runs; the
  // core decides what such a token request gets (400 invalid_request), as it does everywhere else.
  fastify.setErrorHandler(async (error, request, reply) => {
    const code = (error as { code?: string }).code
    if (code !== undefined && UNWRITABLE.has(code) && !reply.raw.headersSent) {
      // A result Node refused to write once an application's async onSend hook let it through (a
      // synchronous refusal is caught in send()): the generic 500, without the refused headers.
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name)
      return sendResult(reply, serverErrorResult())
    }
    if (code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') throw error
    await handle(request, reply, await read(request.raw, request))
    return reply
  })

  // The provider's paths are absolute (the issuer's path included): under a prefix, each is
  // registered relative to it, and a path outside the prefix cannot be served from here.
  const prefix = fastify.prefix
  const outside: string[] = []
  for (const { pathname } of provider.routes) {
    if (prefix !== '' && pathname !== prefix && !pathname.startsWith(`${prefix}/`)) {
      outside.push(pathname)
      continue
    }
    // Callback style: the handler returns nothing, and the answer is sent when the provider gives it.
    // A returned promise would make Fastify wait on the reply as a thenable (an extra job per
    // request), or, resolved empty, send again while an async onSend hook still runs.
    fastify.all(pathname.slice(prefix.length) || '/', (request, reply) => {
      void handle(request, reply, request.body)
    })
  }
  if (outside.length === provider.routes.length) {
    throw new TypeError(`fastifyOAuth2: no endpoint of the provider is under the prefix ${prefix}; the prefix must be the issuer's path or a leading part of it.`)
  }
  if (outside.length > 0) {
    fastify.log.warn(`fastifyOAuth2: not serving ${outside.join(', ')}: outside the prefix ${prefix}. Register the plugin without a prefix to serve every endpoint.`)
  }
}

/**
 * Serves the provider's endpoints (token, JWKS, discovery, ...) on their paths. Encapsulated, so
 * its raw-body parser (capped at `bodyLimit`) and error handler apply to its own routes only.
 * Register it without a prefix: the paths come from the issuer. A `prefix` must be the issuer's
 * path (or a leading part of it); endpoints outside it, such as the RFC 8414 metadata at
 * `/.well-known/oauth-authorization-server/<issuer path>`, are then not served (a warning is logged).
 *
 * @example
 * ```ts
 * await app.register(fastifyOAuth2, { provider })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 */
export const fastifyOAuth2 = fp(oauth2, { name: '@x/oauth2-fastify', fastify: '5.x', encapsulate: true })
