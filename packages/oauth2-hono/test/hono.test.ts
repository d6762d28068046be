import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono, type Context } from 'hono'
import { describe, expect, it, vi } from 'vitest'
import { CONTRACT_BASIC as BASIC, CONTRACT_GRANT as GRANT, createTestProvider, FORM } from '@x/oauth2-testkit'
import { honoOAuth2, requireAccessToken, type OAuth2Env } from '@x/oauth2-hono'
import { UNWRITABLE } from './unwritable.js'

function postToken(app: Hono, path = '/oauth2/token', body: BodyInit = GRANT, init: RequestInit = {}) {
  return app.request(path, { method: 'POST', headers: { 'content-type': FORM, authorization: BASIC }, body, ...init })
}

describe('honoOAuth2: mounting', () => {
  it('serves the endpoints under the issuer path, and the RFC 8414 metadata before it, when mounted at /', async () => {
    const { provider } = createTestProvider({ basePath: '/auth' })
    const app = new Hono().route('/', honoOAuth2(provider))
    expect((await postToken(app, '/auth/oauth2/token')).status).toBe(200)
    const metadata = await app.request('/.well-known/oauth-authorization-server/auth')
    expect(metadata.status).toBe(200)
    expect(await metadata.json()).toMatchObject({ token_endpoint: 'https://as.example.com/auth/oauth2/token' })
  })

  it('routes by the full request URL, so a sub-app mounted at the issuer path still matches', async () => {
    const { provider } = createTestProvider({ basePath: '/auth' })
    const app = new Hono().route('/auth', honoOAuth2(provider))
    expect((await postToken(app, '/auth/oauth2/token')).status).toBe(200)
  })

  it('passes other requests on to later routes, body untouched', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider))
    app.post('/echo', async (c) => c.text(await c.req.text()))
    const response = await app.request('/echo', { method: 'POST', body: 'a=1&a=2' })
    expect(await response.text()).toBe('a=1&a=2')
  })

  it('refuses a request whose body an earlier middleware already read', async () => {
    const { provider } = createTestProvider()
    const app = new Hono()
    app.use('*', async (c, next) => {
      await c.req.raw.text()
      await next()
    })
    app.route('/', honoOAuth2(provider))
    const errors: Error[] = []
    app.onError((error, c) => {
      errors.push(error)
      return c.text('error', 500)
    })
    expect((await postToken(app)).status).toBe(500)
    expect(errors[0]?.message).toContain('mount honoOAuth2() before body-reading middleware')
  })

  it('passes what getClientAddress returns to the core as clientAddress', async () => {
    const { provider } = createTestProvider()
    const handle = vi.spyOn(provider, 'handle')
    const app = new Hono().route('/', honoOAuth2(provider, { getClientAddress: (c) => c.req.header('x-test-address') }))
    await postToken(app, '/oauth2/token', GRANT, { headers: { 'content-type': FORM, authorization: BASIC, 'x-test-address': '203.0.113.7' } })
    expect(handle.mock.calls[0]?.[0].clientAddress).toBe('203.0.113.7')
  })

  it('passes clientAddress undefined when getClientAddress throws, as getConnInfo of @hono/node-server does under app.request()', async () => {
    const { provider } = createTestProvider()
    const handle = vi.spyOn(provider, 'handle')
    for (const getClientAddress of [(c: Context) => getConnInfo(c).remote.address, () => { throw new Error('no address') }]) {
      const app = new Hono().route('/', honoOAuth2(provider, { getClientAddress }))
      const response = await app.request('/oauth2/keys')
      expect(response.status).toBe(200)
      expect(handle.mock.lastCall?.[0].clientAddress).toBeUndefined()
    }
  })

  it('works from the runtime-neutral fetch entry point', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider))
    const response = await app.fetch(new Request('https://as.example.com/oauth2/keys'))
    expect(response.status).toBe(200)
    expect((await response.json()).keys).toHaveLength(1)
  })
})

describe('honoOAuth2: results that cannot be sent as they are', () => {
  const unsendable: typeof UNWRITABLE = [...UNWRITABLE, ['a body with a 204 (refused by the Fetch Response)', { status: 204, headers: {}, body: '<p>error</p>' }]]
  it.each(unsendable)('answers the core\'s generic 500 server_error, not the exception, to a result with %s', async (_name, result) => {
    const { provider } = createTestProvider()
    vi.spyOn(provider, 'handle').mockResolvedValue(result)
    const app = new Hono().route('/', honoOAuth2(provider))
    const errors: Error[] = []
    app.onError((error, c) => {
      errors.push(error)
      return c.text(error.message, 500)
    })
    const response = await app.request('/oauth2/keys')
    expect(response.status).toBe(500)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await response.json()).toEqual({ error: 'server_error', error_description: 'The authorization server encountered an unexpected condition.' })
    expect(errors).toEqual([])
  })
})

describe('honoOAuth2: body size cap', () => {
  it('applies a configured bodyLimit', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider, { bodyLimit: 100 }))
    expect((await postToken(app, '/oauth2/token', `${GRANT}&pad=${'a'.repeat(100 - GRANT.length - 5)}`)).status).toBe(200)
    const refused = await postToken(app, '/oauth2/token', `${GRANT}&pad=${'a'.repeat(101 - GRANT.length - 5)}`)
    expect(refused.status).toBe(413)
    expect(await refused.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' })
  })

  it('answers 413 to a streamed body without Content-Length once it passes the cap', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider, { bodyLimit: 1024 }))
    let pulled = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (++pulled > 64) controller.close()
        else controller.enqueue(new TextEncoder().encode('a'.repeat(512)))
      },
    })
    const response = await postToken(app, '/oauth2/token', stream, { duplex: 'half' } as RequestInit)
    expect(response.status).toBe(413)
    expect((await response.json()).error).toBe('invalid_request')
  })

  it('reads a body whose declared Content-Length is within the cap, and answers 413 to one declared over it', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider, { bodyLimit: 100 }))
    const headers = (length: number) => ({ 'content-type': FORM, authorization: BASIC, 'content-length': String(length) })
    const fits = `${GRANT}&pad=${'a'.repeat(100 - GRANT.length - 5)}`
    expect((await postToken(app, '/oauth2/token', fits, { headers: headers(100) })).status).toBe(200)
    const over = `${fits}a`
    const refused = await postToken(app, '/oauth2/token', over, { headers: headers(101) })
    expect(refused.status).toBe(413)
    expect(await refused.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' })
  })

  it('answers 413 when the body read is larger than the Content-Length it declared', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider, { bodyLimit: 100 }))
    const response = await postToken(app, '/oauth2/token', `${GRANT}&pad=${'a'.repeat(200)}`, {
      headers: { 'content-type': FORM, authorization: BASIC, 'content-length': '10' },
    })
    expect(response.status).toBe(413)
  })

  it('decodes a body read by its Content-Length as the stream reader does (UTF-8, U+FFFD for invalid bytes)', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider))
    // An invalid UTF-8 byte in the scope: the same error answer whichever path read the body.
    const bytes = new Uint8Array([...new TextEncoder().encode(`${GRANT}&scope=`), 0xff])
    const declared = await postToken(app, '/oauth2/token', bytes, { headers: { 'content-type': FORM, authorization: BASIC, 'content-length': String(bytes.byteLength) } })
    const streamed = await postToken(app, '/oauth2/token', bytes)
    expect(declared.status).toBe(streamed.status)
    expect(await declared.text()).toBe(await streamed.text())
  })

  it('refuses a bodyLimit that is not a positive whole number', () => {
    const { provider } = createTestProvider()
    expect(() => honoOAuth2(provider, { bodyLimit: Number.NaN })).toThrow(/bodyLimit/)
  })
})

describe('requireAccessToken: RFC 6750 resource protection', () => {
  function api(scopes?: string[]) {
    const test = createTestProvider()
    const app = new Hono<OAuth2Env>()
    app.get('/api/me', requireAccessToken(test.provider, scopes !== undefined ? { scopes } : {}), (c) =>
      c.json({ client: c.var.oauth2.clientId, scope: c.var.oauth2.scope }),
    )
    return { ...test, app }
  }

  it('sets c.var.oauth2 to the verified token', async () => {
    const { app, issueAccessToken } = api(['read'])
    const response = await app.request('/api/me', { headers: { authorization: `Bearer ${await issueAccessToken('read write')}` } })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ client: 'api-client', scope: ['read', 'write'] })
  })

  it('answers a request without a token with 401, a Bearer challenge naming the issuer, and no body', async () => {
    const { app } = api()
    const response = await app.request('/api/me')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="https://as.example.com"')
    expect(response.headers.get('content-type')).toBeNull()
    expect(await response.text()).toBe('')
  })

  it('answers an expired token with 401 invalid_token', async () => {
    const { app, issueAccessToken, clock } = api()
    const token = await issueAccessToken('read')
    clock.advance(601_000)
    const response = await app.request('/api/me', { headers: { authorization: `Bearer ${token}` } })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('answers a token without the required scope with 403 insufficient_scope', async () => {
    const { app, issueAccessToken } = api(['write'])
    const response = await app.request('/api/me', { headers: { authorization: `Bearer ${await issueAccessToken('read')}` } })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  })

  it('answers a malformed Authorization header with 400 invalid_request', async () => {
    const { app } = api()
    const response = await app.request('/api/me', { headers: { authorization: 'Bearer a b' } })
    expect(response.status).toBe(400)
    expect((await response.json()).error).toBe('invalid_request')
  })
})
