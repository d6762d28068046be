// Experiment: core-node, but each request runs handle() twice (a client_credentials grant each):
// the difference with core-node is the marginal cost of one handle() inside a busy HTTP server.
import { createServer } from 'node:http'
import { createCoreProvider } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', async () => {
    const request = { method: req.method, url: req.url, headers: req.rawHeaders, body: Buffer.concat(chunks).toString() }
    await provider.handle(request)
    const result = await provider.handle(request)
    res.writeHead(result.status, result.headers)
    res.end(result.body)
  })
})
server.listen(0, '127.0.0.1')
await ready(server)
