/**
 * The child side of the HTTP suite. A server script builds its app, listens on a loopback port
 * and calls `ready()`; the runner then talks to it over the IPC channel:
 * - `{ type: 'cpu' }`  -> `{ type: 'cpu', user, system, rss }`: process.cpuUsage() (µs, all threads);
 * - `{ type: 'seed', n }` -> `{ type: 'seed', tokens }`: n fresh refresh tokens, each its own grant.
 * The runner takes CPU snapshots around each measured window: CPU per request is the steadier
 * figure on a shared machine, where req/s also depends on what else runs.
 */
import { once } from 'node:events'

/** Format (`opaque` | `jwt`) the runner asked for. */
export const format = process.argv[2] === 'jwt' ? 'jwt' : 'opaque'

/**
 * @param {import('node:http').Server} server a server already told to listen (port 0 on 127.0.0.1)
 * @param {{ seed?: (n: number) => Promise<string[]> }} [options]
 */
export async function ready(server, options = {}) {
  if (!server.listening) await once(server, 'listening')
  // Long benchmark connections: no idle timeout may close them between rounds.
  server.keepAliveTimeout = 120_000
  process.on('message', async (message) => {
    try {
      if (message.type === 'cpu') {
        const { user, system } = process.cpuUsage()
        process.send({ type: 'cpu', user, system, rss: process.memoryUsage.rss() })
      } else if (message.type === 'seed') {
        if (options.seed === undefined) throw new Error('this subject serves no refresh tokens')
        process.send({ type: 'seed', tokens: await options.seed(message.n) })
      }
    } catch (error) {
      process.send({ type: 'error', message: String(error?.stack ?? error) })
    }
  })
  // Profiling (--profile): the request count puts the profile's sample times per request.
  let requests = 0
  const profiling = process.execArgv.some((arg) => arg.startsWith('--cpu-prof'))
  if (profiling) server.on('request', () => requests++)
  process.on('disconnect', () => {
    if (profiling) process.stderr.write(`requests ${requests}\n`)
    process.exit(0)
  })
  process.send({ type: 'ready', port: server.address().port })
}
