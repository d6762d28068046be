import http from 'node:http'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OAuth2Result } from '@x/oauth2-core'
import { CONTRACT_BASIC as BASIC, CONTRACT_GRANT as GRANT, createTestProvider, FORM, PASS_THROUGH_BODY, postStreamedTokenRequest } from '@x/oauth2-testkit'
import { fastifyOAuth2, fastifyOAuth2Resource } from '@x/oauth2-fastify'

const TOKEN_BODY = '{"access_token":"contract-token.read","token_type":"Bearer","expires_in":600,"scope":"read"}'

const apps: FastifyInstance[] = []
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

function track<T extends FastifyInstance>(app: T): T {
  apps.push(app)
  return app
}

function postToken(app: FastifyInstance, url = '/oauth2/token', payload: string = GRANT, headers: Record<string, string | string[]> = {}) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': FORM, authorization: BASIC, ...headers }, payload })
}

/** A logger stream that keeps every line. */
function logLines() {
  const lines: Array<{ level: number; msg: string }> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as { level: number; msg: string })
      done()
    },
  })
  return { lines, stream }
}

describe('fastifyOAuth2: prefix and issuer path', () => {
  it('registers each endpoint relative to a prefix equal to the issuer path, and warns about the ones outside it', async () => {
    const { provider } = createTestProvider({ basePath: '/auth' })
    const { lines, stream } = logLines()
    const app = track(Fastify({ logger: { level: 'warn', stream } }))
    await app.register(fastifyOAuth2, { provider, prefix: '/auth' })
    expect((await postToken(app, '/auth/oauth2/token')).statusCode).toBe(200)
    expect((await app.inject('/auth/oauth2/keys')).statusCode).toBe(200)
    expect((await app.inject('/.well-known/oauth-authorization-server/auth')).statusCode).toBe(404)
    expect(lines.map((l) => l.msg)).toContainEqual(expect.stringContaining('not serving /.well-known/oauth-authorization-server/auth'))
  })

  it('serves every endpoint, the RFC 8414 metadata included, without a prefix', async () => {
    const { provider } = createTestProvider({ basePath: '/auth' })
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    const metadata = await app.inject('/.well-known/oauth-authorization-server/auth')
    expect(metadata.statusCode).toBe(200)
    expect(metadata.json()).toMatchObject({ token_endpoint: 'https://as.example.com/auth/oauth2/token' })
  })

  it('refuses a prefix that holds none of the endpoints', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await expect(app.register(fastifyOAuth2, { provider, prefix: '/api' })).rejects.toThrow(/prefix must be the issuer's path/)
  })
})

describe('fastifyOAuth2: encapsulation', () => {
  it('keeps its raw-body parser to its own routes: the application still parses JSON', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    app.post('/json', async (request) => ({ received: request.body }))
    const response = await app.inject({ method: 'POST', url: '/json', payload: { a: 1 } })
    expect(response.json()).toEqual({ received: { a: 1 } })
  })

  it('keeps its error handler to its own routes', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    app.post('/text', async () => 'ok')
    const response = await app.inject({ method: 'POST', url: '/text', headers: { 'content-type': 'text' }, payload: 'x' })
    expect(response.statusCode).toBe(415)
    expect(response.json()).toMatchObject({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' })
  })

  it('sends the bytes of the core even when the application sets a reply serializer', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    app.setReplySerializer(() => '"serialized by the app"')
    await app.register(fastifyOAuth2, { provider })
    const response = await postToken(app)
    expect(response.body).toBe(TOKEN_BODY)
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
  })

  it('sends each answer once when an async onSend hook of the application delays it (the handler returns no promise)', async () => {
    const { provider } = createTestProvider()
    const { lines, stream } = logLines()
    const app = track(Fastify({ logger: { level: 'warn', stream } }))
    const sent: string[] = []
    app.addHook('onSend', async (_request, _reply, payload) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      sent.push(String(payload))
      return payload
    })
    await app.register(fastifyOAuth2, { provider })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as { port: number }
    // On a real socket: an answer sent twice would show as a warning or a broken connection.
    for (const content of [FORM, 'text/plain']) {
      const response = await fetch(`http://127.0.0.1:${port}/oauth2/token`, { method: 'POST', headers: { 'content-type': content, authorization: BASIC }, body: GRANT })
      const text = await response.text()
      if (content === FORM) expect([response.status, text]).toEqual([200, TOKEN_BODY])
      else expect([response.status, JSON.parse(text).error]).toEqual([400, 'invalid_request'])
    }
    expect(sent.length).toBe(2)
    expect(lines.filter((line) => line.level >= 40)).toEqual([])
  })

  it('sends the body and content type of a result as they are, also one Fastify would add a charset to', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    app.setReplySerializer(() => '"serialized by the app"')
    await app.register(fastifyOAuth2, { provider })
    const body = '{"a":"é"}'
    // Kept by Fastify as is on a string, and JSON ones it would add a charset to.
    for (const contentType of ['application/json; charset=utf-8', 'text/html;charset=utf-8', 'application/json', 'application/jwk-set+json']) {
      const headers = { 'cache-control': 'no-store', 'content-type': contentType }
      vi.spyOn(provider, 'handle').mockResolvedValueOnce({ status: 400, headers, body })
      const response = await postToken(app)
      expect([contentType, response.statusCode, response.headers['content-type'], response.headers['content-length'], response.body]).toEqual([contentType, 400, contentType, '10', body])
    }
  })

  it('hands a path matched only loosely (ignoreTrailingSlash) back to the not-found handler', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify({ routerOptions: { ignoreTrailingSlash: true } }))
    app.setNotFoundHandler((_request, reply) => reply.code(404).send(PASS_THROUGH_BODY))
    await app.register(fastifyOAuth2, { provider })
    const response = await postToken(app, '/oauth2/token/')
    expect(response.statusCode).toBe(404)
    expect(response.body).toBe(PASS_THROUGH_BODY)
  })

  it('answers HEAD on the JWKS with its headers and no body', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    const response = await app.inject({ method: 'HEAD', url: '/oauth2/keys' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+$/)
    expect(response.body).toBe('')
  })

  it('passes request.ip to the core as clientAddress', async () => {
    const { provider } = createTestProvider()
    const handle = vi.spyOn(provider, 'handle')
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    await app.inject({ method: 'POST', url: '/oauth2/token', remoteAddress: '203.0.113.7', headers: { 'content-type': FORM, authorization: BASIC }, payload: GRANT })
    expect(handle.mock.calls[0]?.[0].clientAddress).toBe('203.0.113.7')
  })

  it('passes repeated headers to the core as given instead of keeping the first (two Authorization headers are refused)', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    expect((await postToken(app, '/oauth2/token', GRANT, { authorization: [BASIC, BASIC] })).statusCode).toBe(401)
  })

  it('on a real socket too (two Authorization headers are refused; one is accepted)', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider })
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }))
    const send = (authorization: string | string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // Raw header pairs: node:http sends each as its own line, a repeated name included (fetch
        // cannot), and adds none of its own (no Host).
        const headers = ['host', url.host, 'content-type', FORM, ...[authorization].flat().flatMap((value) => ['authorization', value])]
        const request = http.request({ host: url.hostname, port: url.port, path: '/oauth2/token', method: 'POST', headers })
        request.on('response', (response) => {
          let body = ''
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: response.statusCode!, body }))
        })
        request.on('error', reject)
        request.end(GRANT)
      })
    const twice = await send([BASIC, BASIC])
    expect(twice.status).toBe(401)
    expect(JSON.parse(twice.body).error).toBe('invalid_client')
    expect(await send(BASIC)).toEqual({ status: 200, body: TOKEN_BODY })
  })
})

describe('fastifyOAuth2: requests and results that cannot be served as they are', () => {
  it('destroys the connection of a client that goes away mid-body, with no error logged', async () => {
    const { provider } = createTestProvider()
    const { lines, stream } = logLines()
    const app = track(Fastify({ logger: { level: 'info', stream } }))
    let closed: Promise<void> | undefined
    app.addHook('onRequest', async (_request, reply) => {
      closed = new Promise((resolve) => reply.raw.on('close', resolve))
    })
    await app.register(fastifyOAuth2, { provider })
    const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }))
    const socket = connect(Number(url.port), '127.0.0.1')
    socket.on('error', () => {})
    socket.write(`POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ngrant_type`)
    await vi.waitFor(() => expect(closed).toBeDefined())
    socket.destroy()
    await closed
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(lines.filter((line) => line.level >= 40)).toEqual([])
    const again = await fetch(`${url.origin}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT })
    expect(await again.text()).toBe(TOKEN_BODY)
  })

  const unwritable: Array<[string, OAuth2Result]> = [
    ['a header value beyond Latin-1', { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'x-note': 'caf\u00e9 \u2615' }, body: '<p>error</p>' }],
    ['a header value with CR LF', { status: 400, headers: { 'x-note': 'a\r\nset-cookie: evil=1' }, body: '<p>error</p>' }],
    ['a header name that is no token', { status: 400, headers: { 'bad name': 'x' }, body: '<p>error</p>' }],
    ['a status out of range', { status: 1000, headers: {}, body: '<p>error</p>' }],
  ]
  for (const hook of ['', ' behind an async onSend hook of the application']) {
    it.each(unwritable)(`answers the core's generic 500 server_error, not the exception, to a result with %s${hook}`, async (_name, result) => {
      const { provider } = createTestProvider()
      vi.spyOn(provider, 'handle').mockResolvedValue(result)
      const app = track(Fastify())
      if (hook !== '') app.addHook('onSend', async (_request, _reply, payload) => payload)
      await app.register(fastifyOAuth2, { provider })
      const response = await app.inject('/oauth2/keys')
      expect(response.statusCode).toBe(500)
      expect(response.headers['cache-control']).toBe('no-store')
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
      expect(response.headers['x-note']).toBeUndefined()
      expect(response.json()).toEqual({ error: 'server_error', error_description: 'The authorization server encountered an unexpected condition.' })
    })
  }
})

describe('fastifyOAuth2: the methods and paths Fastify routes', () => {
  async function app(addMethod?: string) {
    const { provider } = createTestProvider()
    const fastify = track(Fastify())
    if (addMethod !== undefined) fastify.addHttpMethod(addMethod)
    fastify.setNotFoundHandler((_request, reply) => reply.code(404).send(PASS_THROUGH_BODY))
    await fastify.register(fastifyOAuth2, { provider })
    return fastify
  }

  it('hands every method Fastify supports to the core, which answers a wrong one with 405 and Allow', async () => {
    const fastify = await app()
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'TRACE'] as const) {
      const response = await fastify.inject({ method, url: '/oauth2/token' })
      expect([method, response.statusCode, response.headers['allow']]).toEqual([method, 405, 'POST'])
    }
  })

  it('leaves a method Fastify does not support (PROPFIND) to the not-found handler, unless the app adds it first', async () => {
    const plain = await app()
    const unknown = await plain.inject({ method: 'PROPFIND' as 'GET', url: '/oauth2/token' })
    expect([unknown.statusCode, unknown.body]).toEqual([404, PASS_THROUGH_BODY])
    const added = await (await app('PROPFIND')).inject({ method: 'PROPFIND' as 'GET', url: '/oauth2/token' })
    expect([added.statusCode, added.headers['allow']]).toEqual([405, 'POST'])
  })

  it('leaves a path with dot segments (/oauth2/./token), which its router does not match, to the not-found handler', async () => {
    const url = new URL(await (await app()).listen({ port: 0, host: '127.0.0.1' }))
    // On a real socket: fetch and fastify.inject resolve dot segments before sending.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request({ host: url.hostname, port: url.port, path: '/oauth2/./token', method: 'POST', headers: { 'content-type': FORM, authorization: BASIC } })
      request.on('response', (response) => {
        response.resume()
        resolve(response.statusCode!)
      })
      request.on('error', reject)
      request.end(GRANT)
    })
    expect(status).toBe(404)
  })
})

describe('fastifyOAuth2: body size cap', () => {
  it('applies its own bodyLimit, not the application one', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify({ bodyLimit: 10 }))
    await app.register(fastifyOAuth2, { provider, bodyLimit: 100 })
    expect((await postToken(app, '/oauth2/token', `${GRANT}&pad=${'a'.repeat(100 - GRANT.length - 5)}`)).statusCode).toBe(200)
    const refused = await postToken(app, '/oauth2/token', `${GRANT}&pad=${'a'.repeat(101 - GRANT.length - 5)}`)
    expect(refused.statusCode).toBe(413)
    expect(refused.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' })
  })

  it('answers 413 to a chunked body over the cap on a real socket, and keeps the connection usable', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2, { provider, bodyLimit: 1024 })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const response = await postStreamedTokenRequest(`${url}/oauth2/token`, 64, 1024)
    expect(response.status).toBe(413)
    expect((await response.json()).error).toBe('invalid_request')
    const again = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT })
    expect(await again.text()).toBe(TOKEN_BODY)
  })

  it('refuses a bodyLimit that is not a positive whole number', async () => {
    const { provider } = createTestProvider()
    const app = track(Fastify())
    await expect(app.register(fastifyOAuth2, { provider, bodyLimit: -1 })).rejects.toThrow(/bodyLimit/)
  })
})

describe('fastifyOAuth2Resource: RFC 6750 resource protection', () => {
  async function api(scopes?: string[]) {
    const test = createTestProvider()
    const app = track(Fastify())
    await app.register(fastifyOAuth2Resource, { provider: test.provider })
    app.get('/api/me', { preHandler: app.requireAccessToken(scopes !== undefined ? { scopes } : {}) }, async (request) => ({
      client: request.oauth2?.clientId,
      scope: request.oauth2?.scope,
    }))
    app.get('/public', async (request) => ({ oauth2: request.oauth2 }))
    return { ...test, app }
  }

  it('sets request.oauth2 to the verified token', async () => {
    const { app, issueAccessToken } = await api(['read'])
    const response = await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${await issueAccessToken('read write')}` } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ client: 'api-client', scope: ['read', 'write'] })
  })

  it('leaves request.oauth2 null on routes it does not protect', async () => {
    const { app } = await api()
    expect((await app.inject('/public')).json()).toEqual({ oauth2: null })
  })

  it('answers a request without a token with 401 and a Bearer challenge naming the issuer', async () => {
    const { app } = await api()
    const response = await app.inject('/api/me')
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Bearer realm="https://as.example.com"')
    expect(response.body).toBe('')
    expect(response.headers['content-type']).toBeUndefined()
  })

  it('answers a revoked or unknown token with 401 invalid_token', async () => {
    const { app } = await api()
    const response = await app.inject({ url: '/api/me', headers: { authorization: 'Bearer unknown' } })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"')
  })

  it('answers a token without the required scope with 403 insufficient_scope', async () => {
    const { app, issueAccessToken } = await api(['write'])
    const response = await app.inject({ url: '/api/me', headers: { authorization: `Bearer ${await issueAccessToken('read')}` } })
    expect(response.statusCode).toBe(403)
    expect(response.headers['www-authenticate']).toContain('scope="write"')
  })
})
