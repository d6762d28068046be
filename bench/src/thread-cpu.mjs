/**
 * CPU per request of one server script, split by thread (from /proc, Linux only): whether a cost is
 * the main thread's or the GC and thread-pool helpers'. Loads the server as the HTTP suite does
 * (client_credentials, 10 connections), 2 s of warm-up, then 3 s measured.
 *
 *   node src/thread-cpu.mjs core-fastify [opaque|jwt]
 */
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { CLIENT_CREDENTIALS_BODY, FORM_HEADERS, TOKEN_PATH } from './config.mjs'

const [script = 'core-node', format = 'opaque'] = process.argv.slice(2)
const child = fork(fileURLToPath(new URL(`../servers/${script}.mjs`, import.meta.url)), [format], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const [{ port }] = await once(child, 'message')
const options = { url: `http://127.0.0.1:${port}${TOKEN_PATH}`, method: 'POST', headers: FORM_HEADERS, body: CLIENT_CREDENTIALS_BODY, connections: 10 }

/** utime and stime (clock ticks, 1/100 s) of every thread of the server. */
function threads() {
  const result = new Map()
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8')
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    result.set(`${tid} ${name}`, [Number(fields[11]), Number(fields[12])])
  }
  return result
}

await autocannon({ ...options, duration: 2 })
const before = threads()
const result = await autocannon({ ...options, duration: 3 })
const after = threads()
const requests = result['2xx']
console.log(`${script} (${format}): ${requests} requests, ${Math.round(requests / 3)} req/s`)
for (const [thread, [user, system]] of after) {
  const [user0, system0] = before.get(thread) ?? [0, 0]
  const u = ((user - user0) * 1e4) / requests
  const s = ((system - system0) * 1e4) / requests
  if (u + s >= 0.5) console.log(`  ${thread.padEnd(24)} user ${u.toFixed(1).padStart(6)} µs/req  system ${s.toFixed(1).padStart(6)} µs/req`)
}
child.disconnect()
