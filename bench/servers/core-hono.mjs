// The core's token endpoint behind the Hono adapter (@x/oauth2-hono) on @hono/node-server.
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { honoOAuth2 } from '@x/oauth2-hono'
import { createCoreProvider, seedRefreshTokens } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const app = new Hono()
app.route('/', honoOAuth2(provider))
await ready(serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }), { seed: (n) => seedRefreshTokens(provider, n) })
