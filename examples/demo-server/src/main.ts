// The demo authorization server: `npm start` at the repository root runs this.
// Environment: PORT (default 3000), ISSUER (default http://localhost:$PORT), FRAMEWORK (express,
// fastify or hono; default express), DEMO_CONFIG (a JSON file replacing the clients and users).
import { formatBanner } from './banner.js'
import { DemoConfigError, loadDemoConfig, type DemoConfig } from './config.js'
import { startDemo } from './demo.js'
import { FRAMEWORKS, type Framework } from './frameworks/types.js'

function fail(message: string): never {
  console.error(`demo-server: ${message}`)
  process.exit(1)
}

const env = process.env
const portText = env['PORT'] ?? '3000'
const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN
if (!(port >= 0 && port <= 65535)) fail(`PORT must be a whole number from 0 to 65535; got "${portText}".`)

const framework = (env['FRAMEWORK'] ?? 'express').toLowerCase()
if (!(FRAMEWORKS as readonly string[]).includes(framework)) fail(`FRAMEWORK must be one of ${FRAMEWORKS.join(', ')}; got "${framework}".`)

let config: DemoConfig | undefined
if (env['DEMO_CONFIG'] !== undefined && env['DEMO_CONFIG'] !== '') {
  try {
    config = await loadDemoConfig(env['DEMO_CONFIG'])
  } catch (error) {
    fail(error instanceof DemoConfigError ? error.message : String(error))
  }
}

const issuer = env['ISSUER'] !== undefined && env['ISSUER'] !== '' ? env['ISSUER'] : undefined
const demo = await startDemo({
  port,
  framework: framework as Framework,
  ...(issuer !== undefined ? { issuer } : {}),
  ...(config !== undefined ? { config } : {}),
}).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)))

console.log(formatBanner(demo))

let stopping = false
function stop(signal: NodeJS.Signals): void {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping the demo server.`)
  demo.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
