// Hello world on bare node:http: read the form body, parse it, answer JSON.
import { createServer } from 'node:http'
import { ready } from './lib/serve.mjs'

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const params = new URLSearchParams(Buffer.concat(chunks).toString())
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ ok: true, grant_type: params.get('grant_type') }))
  })
})
server.listen(0, '127.0.0.1')
await ready(server)
