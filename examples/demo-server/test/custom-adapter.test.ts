import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { serveProvider } from './doc-examples/custom-adapter.js'
import { provider } from './doc-examples/provider.js'

// docs/custom-adapter.md shows test/doc-examples/custom-adapter.ts verbatim: `pnpm typecheck`
// compiles it, and these tests run it on a real socket.
const FORM = 'application/x-www-form-urlencoded'
const BASIC = `Basic ${btoa('reporting-job:change-me-too')}`
const GRANT = 'grant_type=client_credentials&scope=reports%3Aread'

const servers: Array<ReturnType<typeof serveProvider>> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

async function listen(bodyLimit?: number): Promise<string> {
  const server = serveProvider(provider, bodyLimit !== undefined ? { bodyLimit } : {})
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const postToken = (url: string, body: BodyInit = GRANT, init: RequestInit = {}) =>
  fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'content-type': FORM, authorization: BASIC }, body, ...init })

describe('docs/custom-adapter.md: a node:http adapter on @x/oauth2-core/adapter', () => {
  it('holds the typechecked test/doc-examples/custom-adapter.ts verbatim', async () => {
    const guide = await readFile(new URL('../../../docs/custom-adapter.md', import.meta.url), 'utf8')
    const example = await readFile(new URL('./doc-examples/custom-adapter.ts', import.meta.url), 'utf8')
    expect(guide).toContain(`\`\`\`ts\n${example.trimEnd()}\n\`\`\``)
  })

  it('serves the token endpoint, and leaves other paths to the server', async () => {
    const url = await listen()
    const response = await postToken(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect((await response.json()) as Record<string, unknown>).toMatchObject({ token_type: 'Bearer', scope: 'reports:read' })
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404)
  })

  it('hands the core the raw body, so a repeated parameter is refused (RFC 6749 §3.2)', async () => {
    const url = await listen()
    const response = await postToken(url, `${GRANT}&scope=reports%3Aread`)
    expect(response.status).toBe(400)
    expect(((await response.json()) as Record<string, unknown>)['error']).toBe('invalid_request')
  })

  it('answers a streamed body over bodyLimit with 413 invalid_request and keeps the connection usable', async () => {
    const url = await listen(1024)
    let sent = 0
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === 64) controller.close()
        else controller.enqueue(new TextEncoder().encode('a'.repeat(1024)))
      },
    })
    const refused = await postToken(url, stream, { duplex: 'half' } as RequestInit)
    expect(refused.status).toBe(413)
    expect(await refused.json()).toEqual({ error: 'invalid_request', error_description: 'The request body is too large.' })
    expect((await postToken(url)).status).toBe(200)
  })

  it('survives a client that goes away mid-body: readBody rejects, the example closes the connection', async () => {
    const url = new URL(await listen())
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => rejections.push(reason)
    process.on('unhandledRejection', onRejection)
    try {
      const socket = connect(Number(url.port), url.hostname)
      await once(socket, 'connect')
      socket.write(`POST /oauth2/token HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${FORM}\r\nContent-Length: 100\r\n\r\ngrant_type=`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      socket.destroy()
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(rejections).toEqual([])
      expect((await fetch(`${url.origin}/oauth2/keys`)).status).toBe(200)
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })
})
