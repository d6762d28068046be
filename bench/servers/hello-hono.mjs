// Hello world on Hono (@hono/node-server): c.req.parseBody(), then c.json().
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { ready } from './lib/serve.mjs'

const app = new Hono()
app.post('/oauth2/token', async (c) => {
  const body = await c.req.parseBody()
  return c.json({ ok: true, grant_type: body['grant_type'] })
})
await ready(serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }))
