import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import express, { type ErrorRequestHandler } from 'express'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OAuth2Result } from '@x/oauth2-core'
import { CONTRACT_BASIC as BASIC, CONTRACT_GRANT as GRANT, createTestProvider, FORM, postStreamedTokenRequest } from '@x/oauth2-testkit'
import { expressOAuth2, requireAccessToken } from '@x/oauth2-express'
import { serve } from './serve.js'

const servers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function start(app: express.Express) {
  const server = await serve(app)
  servers.push(server)
  return server
}

function postToken(url: string, body = GRANT, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': FORM, authorization: BASIC, ...headers }, body })
}

describe('expressOAuth2: mounting', () => {
  it('serves the endpoints under the issuer path, and the RFC 8414 metadata before it, when mounted at the root', async () => {
    const { provider } = createTestProvider({ basePath: '/auth' })
    const app = express()
    app.use(expressOAuth2(provider))
    const { url } = await start(app)
    expect((await postToken(`${url}/auth/oauth2/token`)).status).toBe(200)
    const metadata = await fetch(`${url}/.well-known/oauth-authorization-server/auth`)
    expect(metadata.status).toBe(200)
    expect(await metadata.json()).toMatchObject({ issuer: 'https://as.example.com/auth', token_endpoint: 'https://as.example.com/auth/oauth2/token' })
  })

  it('routes by req.originalUrl, so a router mounted at the issuer path still matches', async () => {
    const { provider } = createTestProvider({ basePath: '/auth' })
    const app = express()
    app.use('/auth', expressOAuth2(provider))
    const { url } = await start(app)
    expect((await postToken(`${url}/auth/oauth2/token`)).status).toBe(200)
  })

  it('passes other requests on to the next handlers, body untouched', async () => {
    const { provider } = createTestProvider()
    const app = express()
    app.use(expressOAuth2(provider))
    app.post('/echo', express.urlencoded({ extended: false }), (req, res) => void res.json(req.body))
    const { url } = await start(app)
    const response = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': FORM }, body: 'a=1' })
    expect(await response.json()).toEqual({ a: '1' })
  })

  it('writes the result as is: no ETag, the exact content type and body', async () => {
    const { provider } = createTestProvider()
    const app = express()
    app.use(expressOAuth2(provider))
    const { url } = await start(app)
    const response = await postToken(`${url}/oauth2/token`)
    expect(response.headers.get('etag')).toBeNull()
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await response.text()).toBe('{"access_token":"contract-token.read","token_type":"Bearer","expires_in":600,"scope":"read"}')
  })

  it('passes the socket address to the core as clientAddress', async () => {
    const { provider } = createTestProvider()
    const handle = vi.spyOn(provider, 'handle')
    const app = express()
    app.use(expressOAuth2(provider))
    const { url } = await start(app)
    await postToken(`${url}/oauth2/token`)
    expect(handle.mock.calls[0]?.[0].clientAddress).toBe('127.0.0.1')
  })

  it('refuses, through next(error), a request whose body a body parser already read', async () => {
    const { provider } = createTestProvider()
    const app = express()
    app.use(express.urlencoded({ extended: false }))
    app.use(expressOAuth2(provider))
    const errors: unknown[] = []
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      errors.push(error)
      res.status(500).end()
    }
    app.use(onError)
    const { url } = await start(app)
    expect((await postToken(`${url}/oauth2/token`)).status).toBe(500)
    expect(String(errors[0])).toContain('Mount expressOAuth2() before express.urlencoded()')
  })

  it('passes repeated headers to the core as given instead of keeping the first (two Authorization headers are refused)', async () => {
    const { provider } = createTestProvider()
    const app = express()
    app.use(expressOAuth2(provider))
    const { url } = await start(app)
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}/oauth2/token`, { method: 'POST' }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      })
      req.on('error', reject)
      req.setHeader('content-type', FORM)
      req.setHeader('authorization', [BASIC, BASIC])
      req.end(GRANT)
    })
    expect(status).toBe(401)
  })
})

describe('expressOAuth2: requests and results that cannot be served as they are', () => {
  /** An error handler after the middleware that records what reaches it. */
  function recordErrors(app: express.Express): unknown[] {
    const errors: unknown[] = []
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      errors.push(error)
      res.status(500).end()
    }
    app.use(onError)
    return errors
  }

  it('destroys the connection of a client that goes away mid-body, without calling next(error)', async () => {
    const { provider } = createTestProvider()
    const app = express()
    let closed!: Promise<void>
    app.use((_req, res, next) => {
      closed = new Promise((resolve) => res.on('close', resolve))
      next()
    })
    app.use(expressOAuth2(provider))
    const errors = recordErrors(app)
    const { url } = await start(app)
    const socket = connect(Number(new URL(url).port), '127.0.0.1')
    socket.on('error', () => {})
    socket.write(`POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ngrant_type`)
    await vi.waitFor(() => expect(closed).toBeDefined())
    socket.destroy()
    await closed
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(errors).toEqual([])
    expect((await postToken(`${url}/oauth2/token`)).status).toBe(200)
  })

  const unwritable: Array<[string, OAuth2Result]> = [
    ['a header value beyond Latin-1', { status: 400, headers: { 'content-type': 'text/html; charset=utf-8', 'x-note': 'caf\u00e9 \u2615' }, body: '<p>error</p>' }],
    ['a header value with CR LF', { status: 400, headers: { 'x-note': 'a\r\nset-cookie: evil=1' }, body: '<p>error</p>' }],
    ['a header name that is no token', { status: 400, headers: { 'bad name': 'x' }, body: '<p>error</p>' }],
    ['a status out of range', { status: 1000, headers: {}, body: '<p>error</p>' }],
  ]
  it.each(unwritable)('answers the core\'s generic 500 server_error, not the exception, to a result with %s', async (_name, result) => {
    const { provider } = createTestProvider()
    vi.spyOn(provider, 'handle').mockResolvedValue(result)
    const app = express()
    app.use(expressOAuth2(provider))
    const errors = recordErrors(app)
    const { url } = await start(app)
    const response = await fetch(`${url}/oauth2/keys`)
    expect(response.status).toBe(500)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(response.headers.get('x-note')).toBeNull()
    expect(await response.json()).toEqual({ error: 'server_error', error_description: 'The authorization server encountered an unexpected condition.' })
    expect(errors).toEqual([])
  })

  it('neither reads nor caps the body of a GET or HEAD request: the core answers it', async () => {
    const { provider } = createTestProvider()
    const handle = vi.spyOn(provider, 'handle')
    const app = express()
    app.use(expressOAuth2(provider))
    const { url } = await start(app)
    const send = (method: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        // Content-Length set: node:http frames no body of a GET or HEAD on its own.
        const req = httpRequest(`${url}${path}`, { method, headers: { 'content-type': FORM, 'content-length': '70000' } }, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
        req.on('error', reject)
        req.end('a'.repeat(70_000))
      })
    expect(await send('GET', '/oauth2/keys')).toBe(200)
    expect(await send('HEAD', '/oauth2/keys')).toBe(200)
    expect(handle.mock.calls.map(([request]) => request.body)).toEqual([undefined, undefined])
  })
})

describe('expressOAuth2: body size cap', () => {
  it('applies a configured bodyLimit', async () => {
    const { provider } = createTestProvider()
    const app = express()
    app.use(expressOAuth2(provider, { bodyLimit: 100 }))
    const { url } = await start(app)
    expect((await postToken(`${url}/oauth2/token`, `${GRANT}&pad=${'a'.repeat(100 - GRANT.length - 5)}`)).status).toBe(200)
    const refused = await postToken(`${url}/oauth2/token`, `${GRANT}&pad=${'a'.repeat(101 - GRANT.length - 5)}`)
    expect(refused.status).toBe(413)
    expect(await refused.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' })
  })

  it('answers 413 to a chunked body without Content-Length and keeps the connection usable', async () => {
    const { provider } = createTestProvider()
    const app = express()
    app.use(expressOAuth2(provider, { bodyLimit: 1024 }))
    const { url } = await start(app)
    const response = await postStreamedTokenRequest(`${url}/oauth2/token`, 64, 1024)
    expect(response.status).toBe(413)
    expect((await response.json()).error).toBe('invalid_request')
    expect((await postToken(`${url}/oauth2/token`)).status).toBe(200)
  })

  it('refuses a bodyLimit that is not a positive whole number', () => {
    const { provider } = createTestProvider()
    expect(() => expressOAuth2(provider, { bodyLimit: 0 })).toThrow(TypeError)
    expect(() => expressOAuth2(provider, { bodyLimit: 1.5 })).toThrow(/bodyLimit/)
  })
})

describe('requireAccessToken: RFC 6750 resource protection', () => {
  async function api(scopes?: string[]) {
    const test = createTestProvider()
    const app = express()
    app.get('/api/me', requireAccessToken(test.provider, scopes !== undefined ? { scopes } : {}), (req, res) => {
      res.json({ client: req.oauth2?.clientId, scope: req.oauth2?.scope })
    })
    const { url } = await start(app)
    return { ...test, url: `${url}/api/me` }
  }

  it('sets req.oauth2 to the verified token', async () => {
    const { url, issueAccessToken } = await api(['read'])
    const response = await fetch(url, { headers: { authorization: `Bearer ${await issueAccessToken('read write')}` } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ client: 'api-client', scope: ['read', 'write'] })
  })

  it('answers a request without a token with 401 and a Bearer challenge naming the issuer', async () => {
    const { url } = await api()
    const response = await fetch(url)
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="https://as.example.com"')
  })

  it('answers an expired token with 401 invalid_token', async () => {
    const { url, issueAccessToken, clock } = await api()
    const token = await issueAccessToken('read')
    clock.advance(601_000)
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('answers a token without the required scope with 403 insufficient_scope', async () => {
    const { url, issueAccessToken } = await api(['write'])
    const response = await fetch(url, { headers: { authorization: `Bearer ${await issueAccessToken('read')}` } })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope", error_description="The access token does not carry the scope this resource requires.", scope="write"')
    expect((await response.json()).error).toBe('insufficient_scope')
  })

  it('answers a token in the header and in the query with 400 invalid_request', async () => {
    const { url, issueAccessToken } = await api()
    const token = await issueAccessToken('read')
    const response = await fetch(`${url}?access_token=${token}`, { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_request')
  })
})
