// The core's token endpoint behind the Fastify adapter (@x/oauth2-fastify).
import Fastify from 'fastify'
import { fastifyOAuth2 } from '@x/oauth2-fastify'
import { createCoreProvider, seedRefreshTokens } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const app = Fastify({ logger: false })
await app.register(fastifyOAuth2, { provider })
await app.listen({ host: '127.0.0.1', port: 0 })
await ready(app.server, { seed: (n) => seedRefreshTokens(provider, n) })
