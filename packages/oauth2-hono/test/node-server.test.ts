import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CONTRACT_BASIC as BASIC, CONTRACT_GRANT as GRANT, createTestProvider, FORM, postStreamedTokenRequest } from '@x/oauth2-testkit'
import { honoOAuth2 } from '@x/oauth2-hono'

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
})
