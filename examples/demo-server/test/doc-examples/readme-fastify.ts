import Fastify from 'fastify'
import { fastifyOAuth2, fastifyOAuth2Resource } from '@x/oauth2-fastify'
import { provider } from './provider.js'

// Fastify 5 — @x/oauth2-fastify
const app = Fastify()
await app.register(fastifyOAuth2, { provider })           // the provider's endpoints
await app.register(fastifyOAuth2Resource, { provider })   // app.requireAccessToken(), request.oauth2
app.get('/api/me', { preHandler: app.requireAccessToken() }, async (request) => request.oauth2?.claims)
await app.listen({ port: 3000 })
