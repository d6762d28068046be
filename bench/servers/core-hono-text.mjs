// Experiment: what @x/oauth2-hono does, but reading the body with Request.text() (which
// @hono/node-server serves straight from the socket) instead of body.getReader() (which makes it
// build a full undici Request and a Web stream), and taking the path from c.req.path.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createCoreProvider, seedRefreshTokens } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const app = new Hono()
app.use('*', async (c, next) => {
  if (!provider.hasRoute(c.req.path)) return next()
  // Only with a declared length within the cap: HTTP framing then bounds what text() reads.
  const length = Number(c.req.header('content-length'))
  if (!(length <= 64 * 1024)) return c.text('experiment: needs a content-length', 411)
  const body = await c.req.raw.text()
  const result = await provider.handle({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body })
  return new Response(result.body === '' ? null : result.body, { status: result.status, headers: result.headers })
})
await ready(serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }), { seed: (n) => seedRefreshTokens(provider, n) })
