// Hello world on Fastify: the same form parsed by a content-type parser, answered with JSON.
import Fastify from 'fastify'
import { ready } from './lib/serve.mjs'

const app = Fastify({ logger: false })
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body)))
})
app.post('/oauth2/token', async (request) => ({ ok: true, grant_type: request.body.grant_type }))
await app.listen({ host: '127.0.0.1', port: 0 })
await ready(app.server)
