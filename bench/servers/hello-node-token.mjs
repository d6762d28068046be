// Experiment: hello-world on node:http answering with the bytes of a token response.
import { createServer } from 'node:http'
import { ready } from './lib/serve.mjs'

const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' }
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const params = new URLSearchParams(Buffer.concat(chunks).toString())
    res.writeHead(200, headers)
    res.end(JSON.stringify({ access_token: 'x'.repeat(43), token_type: 'Bearer', expires_in: 3600, scope: params.get('scope') }))
  })
})
server.listen(0, '127.0.0.1')
await ready(server)
