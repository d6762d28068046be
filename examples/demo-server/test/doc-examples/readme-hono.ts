import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { honoOAuth2, requireAccessToken, type OAuth2Env } from '@x/oauth2-hono'
import { provider } from './provider.js'

// Hono (any runtime; here @hono/node-server) — @x/oauth2-hono
const app = new Hono<OAuth2Env>()
app.route('/', honoOAuth2(provider))              // the provider's endpoints; other requests pass on
app.get('/api/me', requireAccessToken(provider), (c) => c.json(c.var.oauth2.claims))
serve({ fetch: app.fetch, port: 3000 })
