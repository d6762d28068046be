import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type Express } from 'express'
import { PASS_THROUGH_BODY, responseTarget, type ContractTarget } from '@x/oauth2-testkit'
import { expressOAuth2 } from '@x/oauth2-express'

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
  return responseTarget((path, init) => fetch(`${url}${path}`, init), close)
}

/** The adapter at the root of a real Express 5 server, with the framework's own not-found handler after it. */
export function mountAtRoot(provider: Parameters<typeof expressOAuth2>[0]): Promise<ContractTarget> {
  const app = express()
  app.use(expressOAuth2(provider))
  app.use((_req, res) => void res.status(404).send(PASS_THROUGH_BODY))
  return fetchTarget(app)
}
