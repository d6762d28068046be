import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { basicAuth, CONTRACT_CLIENT, createTestProvider } from '@x/oauth2-testkit'
import { honoOAuth2 } from '@x/oauth2-hono'

const FORM = 'application/x-www-form-urlencoded'
const BASIC = basicAuth(CONTRACT_CLIENT.id, CONTRACT_CLIENT.secret)
const GRANT = 'grant_type=client_credentials&scope=read'

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

/** A request body streamed in `count` chunks of `size` bytes, sent without Content-Length. */
function streamedBody(count: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === count) controller.close()
      else controller.enqueue(new TextEncoder().encode('a'.repeat(size)))
    },
  })
}

describe('honoOAuth2 on @hono/node-server', () => {
  it('answers 413 to a streamed body over the cap and keeps the connection usable', async () => {
    const { provider } = createTestProvider()
    const url = await listen(new Hono().route('/', honoOAuth2(provider, { bodyLimit: 1024 })))
    const response = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': FORM, authorization: BASIC },
      body: streamedBody(64, 1024),
      duplex: 'half',
    } as RequestInit)
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
