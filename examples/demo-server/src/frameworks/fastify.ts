import type { Server } from 'node:http'
import Fastify, { type FastifyReply } from 'fastify'
import type { OAuth2Result } from '@x/oauth2-core'
import { fastifyOAuth2, fastifyOAuth2Resource } from '@x/oauth2-fastify'
import type { DemoApp, DemoRoutes } from './types.js'
import { meBody } from './types.js'

/**
 * The demo on Fastify 5: the endpoints plugin, the resource plugin, then the demo's routes. The
 * Node server is the demo's own (`serverFactory`), already listening, so the issuer can name its port.
 */
export async function mountFastify({ provider, paths, home, callback }: DemoRoutes, server: Server): Promise<DemoApp> {
  let listener: DemoApp['listener'] | undefined
  const app = Fastify({
    serverFactory: (handler) => {
      listener = handler
      return server
    },
  })
  await app.register(fastifyOAuth2, { provider })
  await app.register(fastifyOAuth2Resource, { provider })
  app.get(paths.me, { preHandler: app.requireAccessToken() }, async (request, reply) => reply.header('cache-control', 'no-store').send(meBody(request.oauth2!)))
  app.get(paths.home, async (_request, reply) => send(reply, home()))
  app.get(paths.callback, async (request, reply) => send(reply, callback(new URL(request.url, 'http://demo').searchParams)))
  await app.ready()
  return { listener: listener!, close: () => app.close() }
}

function send(reply: FastifyReply, result: OAuth2Result): FastifyReply {
  return reply.code(result.status).headers(result.headers).send(result.body)
}
