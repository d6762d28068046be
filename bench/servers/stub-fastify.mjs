// Experiment: the Fastify adapter around a stub provider (fixed answer): what the adapter costs alone.
import Fastify from 'fastify'
import { fastifyOAuth2 } from '@x/oauth2-fastify'
import { createCoreProvider } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const result = { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' }, body: JSON.stringify({ access_token: 'x'.repeat(43), token_type: 'Bearer', expires_in: 3600, scope: 'read write' }) }
provider.handle = async () => result
const app = Fastify({ logger: false })
await app.register(fastifyOAuth2, { provider })
await app.listen({ host: '127.0.0.1', port: 0 })
await ready(app.server)
