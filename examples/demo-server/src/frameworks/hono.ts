import { getRequestListener } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import type { OAuth2Result } from '@x/oauth2-core'
import { honoOAuth2, requireAccessToken } from '@x/oauth2-hono'
import type { DemoApp, DemoRoutes } from './types.js'
import { meBody } from './types.js'

/** The demo on Hono (served by `@hono/node-server`): the provider's sub-app first, then the demo's routes. */
export function mountHono({ provider, paths, home, callback }: DemoRoutes): Promise<DemoApp> {
  const app = new Hono()
  // No Web API carries the client's address; the device page's rate limit needs it (RFC 8628 §5.1).
  app.route('/', honoOAuth2(provider, { getClientAddress: (c) => getConnInfo(c).remote.address }))
  app.get(paths.me, requireAccessToken(provider), (c) => {
    c.header('cache-control', 'no-store')
    return c.json(meBody(c.var.oauth2))
  })
  app.get(paths.home, () => toResponse(home()))
  app.get(paths.callback, (c) => toResponse(callback(new URL(c.req.url).searchParams)))
  return Promise.resolve({ listener: getRequestListener(app.fetch), close: () => Promise.resolve() })
}

function toResponse(result: OAuth2Result): Response {
  return new Response(result.body, { status: result.status, headers: result.headers })
}
