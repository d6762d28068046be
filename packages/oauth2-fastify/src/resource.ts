import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthenticateResourceOptions, OAuth2Provider } from '@x/oauth2-core'
import { sendResult } from './send-result.js'
import { headersOf } from './to-request.js'

/** Options of {@link fastifyOAuth2Resource}. */
export interface FastifyOAuth2ResourceOptions {
  provider: OAuth2Provider
}

/** Options of `fastify.requireAccessToken()`: the scopes the route needs. */
export type RequireAccessTokenOptions = AuthenticateResourceOptions

const resource: FastifyPluginAsync<FastifyOAuth2ResourceOptions> = async (fastify, { provider }) => {
  fastify.decorateRequest('oauth2', null)
  fastify.decorate('requireAccessToken', (options: RequireAccessTokenOptions = {}): preHandlerAsyncHookHandler => {
    return async (request, reply) => {
      const auth = await provider.authenticateResourceRequest({ headers: headersOf(request), url: request.url }, options)
      if (!auth.ok) return sendResult(reply, auth)
      request.oauth2 = auth.token
    }
  })
}

/**
 * Protects API routes with the provider's access tokens (RFC 6750): decorates the instance with
 * `requireAccessToken(options)`, a `preHandler` that sets `request.oauth2` to the verified token,
 * or answers the core's 401 / 403 / 400 with its `WWW-Authenticate` challenge.
 *
 * @example
 * ```ts
 * await app.register(fastifyOAuth2Resource, { provider })
 * app.get('/api/me', { preHandler: app.requireAccessToken({ scopes: ['read'] }) }, (request) => request.oauth2)
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
export const fastifyOAuth2Resource = fp(resource, { name: '@x/oauth2-fastify/resource', fastify: '5.x' })
