/**
 * What one `handle()` costs when the process has been idle just before (as a server between
 * requests), against the same call in a tight loop: the event loop sleeps (`setTimeout(0)`) before
 * each iteration. "2x" runs two calls per wake-up: the second one pays no cold start.
 *
 *   node src/cold-start.mjs [opaque|jwt]
 */
import { createCoreProvider } from '../servers/lib/core-provider.mjs'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, TOKEN_PATH } from './config.mjs'

const { provider } = createCoreProvider({ format: process.argv[2] === 'jwt' ? 'jwt' : 'opaque' })
// As a Node adapter passes it: a path, and header values as lists.
const request = () => ({ method: 'POST', url: TOKEN_PATH, headers: { 'content-type': ['application/x-www-form-urlencoded'], authorization: [FORM_HEADERS.authorization] }, body: CLIENT_CREDENTIALS_BODY })
const sleep = () => new Promise((resolve) => setTimeout(resolve, 0))

async function run(label, fn, { n = 3000, idle = true } = {}) {
  let inside = 0
  const cpu = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    if (idle) await sleep()
    const start = performance.now()
    await fn()
    inside += performance.now() - start
  }
  const d = process.cpuUsage(cpu)
  console.log(`${label.padEnd(28)} ${((inside * 1000) / n).toFixed(1).padStart(6)} µs wall inside, ${((d.user + d.system) / n).toFixed(1).padStart(6)} µs CPU per iteration`)
}

for (let round = 0; round < 3; round++) {
  await run('tight loop: handle()', () => provider.handle(request()), { n: 20000, idle: false })
  await run('after idle: nothing', async () => {})
  await run('after idle: handle()', () => provider.handle(request()))
  await run('after idle: handle() 2x', async () => {
    await provider.handle(request())
    await provider.handle(request())
  })
}
