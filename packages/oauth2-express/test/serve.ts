import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import type { ContractRequest, ContractTarget } from '@x/oauth2-testkit'

/** Serves an Express app on an ephemeral loopback port. */
export async function serve(app: Express): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  }
}

/** A contract target that sends each request with fetch over loopback HTTP. */
export async function fetchTarget(app: Express): Promise<ContractTarget> {
  const { url, close } = await serve(app)
  return {
    async send(request: ContractRequest) {
      const response = await fetch(`${url}${request.path}`, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
      })
      return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) }
    },
    close,
  }
}
