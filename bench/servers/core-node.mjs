// The core's token endpoint on bare node:http (no framework): the floor any adapter adds to.
import { createServer } from 'node:http'
import { createCoreProvider, seedRefreshTokens } from './lib/core-provider.mjs'
import { format, ready } from './lib/serve.mjs'

const { provider } = createCoreProvider({ format })
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', async () => {
    const result = await provider.handle({ method: req.method, url: req.url, headers: req.rawHeaders, body: Buffer.concat(chunks).toString() })
    res.writeHead(result.status, result.headers)
    res.end(result.body)
  })
})
server.listen(0, '127.0.0.1')
await ready(server, { seed: (n) => seedRefreshTokens(provider, n) })
