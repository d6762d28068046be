// Experiment: the node:http hello-world with extra work of a known kind (bench/RESULTS.md, "Where the
// in-server cost sits"). argv[2]: `async` (the answer comes through seven nested async functions),
// `spin` (a compact arithmetic loop of ~12 µs in a tight loop on this machine: what such code costs
// in a server).
import { createServer } from 'node:http'
import { ready } from './lib/serve.mjs'

const extra = process.argv[2]
if (extra !== 'async' && extra !== 'spin') throw new Error(`hello-node-extra: unknown variant ${extra}; use async or spin`)

async function layer(depth, params) {
  if (depth === 0) return { ok: true, grant_type: params.get('grant_type') }
  return await layer(depth - 1, params)
}

let sink = 0
function spin(n) {
  let x = 1
  for (let i = 0; i < n; i++) x = (x * 1103515245 + 12345) | 0
  return x
}

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', async () => {
    const params = new URLSearchParams(Buffer.concat(chunks).toString())
    let body
    if (extra === 'async') body = await layer(7, params)
    else {
      sink ^= spin(2000)
      body = { ok: true, grant_type: params.get('grant_type') }
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  })
})
server.listen(0, '127.0.0.1')
await ready(server)
