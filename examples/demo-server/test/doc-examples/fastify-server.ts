// server.ts
import Fastify from 'fastify'
import { fastifyOAuth2, fastifyOAuth2Resource } from '@x/oauth2-fastify'
import { provider } from './provider.js'

const app = Fastify({ logger: true })
await app.register(fastifyOAuth2, { provider })            // every endpoint of the provider
await app.register(fastifyOAuth2Resource, { provider })    // app.requireAccessToken(), request.oauth2

app.get('/api/me', { preHandler: app.requireAccessToken() }, async (request) => request.oauth2?.claims)

await app.listen({ port: 3000 })
