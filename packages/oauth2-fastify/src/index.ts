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
import { readBody, TOO_LARGE } from './read-body.js'
import { sendResult } from './send-result.js'
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

/** The default body cap, in bytes. */
export const DEFAULT_BODY_LIMIT = 64 * 1024

const oauth2: FastifyPluginAsync<FastifyOAuth2Options> = async (fastify, { provider, bodyLimit: limit }) => {
  const bodyLimit = checkBodyLimit(limit)
  // Scoped to this plugin: its routes read every body raw (RFC 6749 §3.2: duplicates must be seen),
  // and the application's own parsers stay as they are.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', (request: FastifyRequest, payload: IncomingMessage) => readBody(payload, request.headers['content-length'], bodyLimit))

  async function handle(request: FastifyRequest, reply: FastifyReply, body: unknown) {
    if (body === TOO_LARGE) {
      // A path Fastify matched loosely (a percent-encoded letter, ...) that the provider does not
      // serve is the framework's to answer, whatever its body.
      if (!provider.hasRoute(pathnameOf(request.url, provider.issuer))) return reply.callNotFound()
      return sendResult(reply, bodyTooLargeResult())
    }
    const result = await provider.handle(toOAuth2Request(request, typeof body === 'string' ? body : undefined))
    // A path Fastify matched loosely (ignoreTrailingSlash, ...) that the provider does not serve.
    if (result.status === 404 && result.body === '') return reply.callNotFound()
    return sendResult(reply, result)
  }

  // Fastify answers a Content-Type it cannot parse with its own 415 before any parser runs; the
  // core decides what such a token request gets (400 invalid_request), as it does everywhere else.
  fastify.setErrorHandler(async (error, request, reply) => {
    if ((error as { code?: string }).code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') throw error
    return handle(request, reply, await readBody(request.raw, request.headers['content-length'], bodyLimit))
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
    fastify.all(pathname.slice(prefix.length) || '/', (request, reply) => handle(request, reply, request.body))
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

/** The pathname the core routes by: the URL resolved against the issuer, as the core resolves it. */
function pathnameOf(url: string, issuer: string): string {
  try {
    return new URL(url, issuer).pathname
  } catch {
    return ''
  }
}

function checkBodyLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_BODY_LIMIT
  if (!(Number.isSafeInteger(limit) && limit > 0)) throw new TypeError('fastifyOAuth2: bodyLimit must be a positive whole number of bytes.')
  return limit
}
