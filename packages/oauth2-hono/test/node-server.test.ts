import { connect, type AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CONTRACT_BASIC as BASIC, CONTRACT_GRANT as GRANT, createTestProvider, FORM, postStreamedTokenRequest } from '@x/oauth2-testkit'
import { honoOAuth2 } from '@x/oauth2-hono'
import { UNWRITABLE } from './unwritable.js'

let server: ServerType | undefined
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

async function listen(app: Hono): Promise<string> {
  return new Promise((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`))
  })
}

describe('honoOAuth2 on @hono/node-server', () => {
  it('answers 413 to a streamed body over the cap and keeps the connection usable', async () => {
    const { provider } = createTestProvider()
    const url = await listen(new Hono().route('/', honoOAuth2(provider, { bodyLimit: 1024 })))
    const response = await postStreamedTokenRequest(`${url}/oauth2/token`, 64, 1024)
    expect(response.status).toBe(413)
    expect((await response.json()).error).toBe('invalid_request')
    const again = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT })
    expect(again.status).toBe(200)
  })

  it('fills clientAddress from the socket through getConnInfo', async () => {
    const { provider } = createTestProvider()
    const handle = vi.spyOn(provider, 'handle')
    const url = await listen(new Hono().route('/', honoOAuth2(provider, { getClientAddress: (c) => getConnInfo(c).remote.address })))
    await fetch(`${url}/oauth2/keys`)
    expect(handle.mock.calls[0]?.[0].clientAddress).toBe('127.0.0.1')
  })

  it('answers a client that goes away mid-body without an error reaching onError', async () => {
    const { provider } = createTestProvider()
    const app = new Hono().route('/', honoOAuth2(provider))
    const errors: Error[] = []
    app.onError((error, c) => {
      errors.push(error)
      return c.text('error', 500)
    })
    let answered!: () => void
    const done = new Promise<void>((resolve) => (answered = resolve))
    const outer = new Hono()
    outer.use('*', async (_c, next) => {
      await next()
      answered()
    })
    outer.route('/', app)
    const url = new URL(await listen(outer))
    const socket = connect(Number(url.port), '127.0.0.1')
    socket.on('error', () => {})
    socket.write(`POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ngrant_type`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    socket.destroy()
    await done
    expect(errors).toEqual([])
  })

  it.each(UNWRITABLE)('answers the core\'s generic 500 server_error, not the exception, to a result with %s', async (_name, result) => {
    const { provider } = createTestProvider()
    vi.spyOn(provider, 'handle').mockResolvedValue(result)
    const url = await listen(new Hono().route('/', honoOAuth2(provider)))
    const response = await fetch(`${url}/oauth2/keys`)
    expect(response.status).toBe(500)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({ error: 'server_error', error_description: 'The authorization server encountered an unexpected condition.' })
  })
})
