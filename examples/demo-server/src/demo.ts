import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ErrorHook, OAuth2Provider } from '@x/oauth2-core'
import { defaultDemoConfig, type DemoConfig } from './config.js'
import { mountExpress } from './frameworks/express.js'
import { mountFastify } from './frameworks/fastify.js'
import { mountHono } from './frameworks/hono.js'
import { FRAMEWORKS, type DemoApp, type DemoRoutes, type Framework } from './frameworks/types.js'
import { callbackPage, homePage } from './pages.js'
import { createDemoProvider } from './provider.js'
import { createUserDirectory } from './users.js'
import { createWalkthrough, type Walkthrough } from './walkthrough.js'

/** Options of {@link startDemo}. */
export interface StartDemoOptions {
  /** The port to listen on; `0` picks a free one (default 3000). */
  port?: number
  /** The address to listen on (default: every interface, as `node:http` does). */
  host?: string
  /** The framework serving the demo (default `express`). */
  framework?: Framework
  /** The issuer (default `http://localhost:<port>`, or `http://<host>:<port>` when `host` is given). */
  issuer?: string
  /** The clients and users (default: {@link defaultDemoConfig} for the issuer). */
  config?: DemoConfig
  /** Receives unexpected errors (default: printed to stderr). */
  onError?: ErrorHook
}

/** A running demo. */
export interface DemoServer {
  /** The URL it listens on. */
  url: string
  issuer: string
  port: number
  framework: Framework
  config: DemoConfig
  provider: OAuth2Provider
  walkthrough: Walkthrough
  /** Stops listening and closes every open connection. */
  close(): Promise<void>
}

/**
 * Starts the demo authorization server: every flow of the core on one provider, served by the
 * chosen framework's adapter, with the demo's pages and the protected `GET /api/me`.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ port: 0, framework: 'hono' })
 * console.log(demo.issuer)
 * await demo.close()
 * ```
 */
export async function startDemo(options: StartDemoOptions = {}): Promise<DemoServer> {
  const framework = options.framework ?? 'express'
  if (!FRAMEWORKS.includes(framework)) throw new TypeError(`FRAMEWORK must be one of ${FRAMEWORKS.join(', ')}; got "${String(framework)}".`)
  const port = options.port ?? 3000
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new TypeError(`PORT must be a whole number from 0 to 65535; got "${String(port)}".`)

  // Listen first, so that with port 0 the issuer can name the port actually bound. Requests that
  // arrive before the app is mounted get a 503 rather than hanging.
  let listener: RequestListener | undefined
  const server = createServer((req, res) => {
    if (listener !== undefined) return listener(req, res)
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('Starting.\n')
  })
  await listen(server, port, options.host)
  try {
    const bound = (server.address() as AddressInfo).port
    const issuer = options.issuer ?? `http://${urlHost(options.host)}:${bound}`
    const config = options.config ?? defaultDemoConfig(issuer)
    const users = await createUserDirectory(config.users)
    const onError = options.onError ?? ((error: unknown) => console.error('[demo] unexpected error:', error))
    const provider = createDemoProvider({ issuer, config, users, onError })
    const walkthrough = createWalkthrough(issuer, config)
    const routes: DemoRoutes = {
      provider,
      paths: walkthrough.paths,
      home: () => homePage(walkthrough, framework),
      callback: (query) => callbackPage(walkthrough, query),
    }
    const app = await mount(framework, routes, server)
    listener = app.listener
    return {
      url: `http://${urlHost(options.host)}:${bound}`,
      issuer,
      port: bound,
      framework,
      config,
      provider,
      walkthrough,
      close: async () => {
        await closeServer(server)
        await app.close()
      },
    }
  } catch (error) {
    await closeServer(server)
    throw error
  }
}

function mount(framework: Framework, routes: DemoRoutes, server: Server): Promise<DemoApp> {
  switch (framework) {
    case 'express':
      return mountExpress(routes)
    case 'fastify':
      return mountFastify(routes, server)
    case 'hono':
      return mountHono(routes)
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use: set PORT to another port (PORT=0 picks a free one).`) : error)
    }
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve()
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Keep-alive connections would hold close() open until they time out.
    server.closeAllConnections()
  })
}

/** The host part of a URL for a listening address: `localhost` for the wildcard ones, IPv6 in brackets. */
function urlHost(host: string | undefined): string {
  if (host === undefined || host === '' || host === '0.0.0.0' || host === '::') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}
