// server.ts
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { honoOAuth2, requireAccessToken, type OAuth2Env } from '@x/oauth2-hono'
import { provider } from './provider.js'

const app = new Hono<OAuth2Env>()
// Every endpoint of the provider. The client's address feeds the device page's rate limit (RFC 8628 §5.1).
app.route('/', honoOAuth2(provider, { getClientAddress: (c) => getConnInfo(c).remote.address }))

app.get('/api/me', requireAccessToken(provider), (c) => c.json(c.var.oauth2.claims))

serve({ fetch: app.fetch, port: 3000 }, () => console.log(`${provider.issuer} is ready`))
