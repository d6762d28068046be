import { createServer } from 'node:http'
import { bodyTooLargeResult, type OAuth2Provider } from '@x/oauth2-core'
import { readBody, requestPathname, resolveBodyLimit, TOO_LARGE } from '@x/oauth2-core/adapter'

export function serveProvider(provider: OAuth2Provider, options: { bodyLimit?: number } = {}) {
  const limit = resolveBodyLimit(options.bodyLimit, 'serveProvider')
  return createServer(async (req, res) => {
    const url = req.url ?? '/'
    if (!provider.hasRoute(requestPathname(url, provider.issuer))) {
      res.statusCode = 404                                  // not the provider's: your own routes go here
      return void res.end()
    }
    const body = await readBody(req, { limit, contentLength: req.headers['content-length'] })
    const result =
      body === TOO_LARGE
        ? bodyTooLargeResult()                              // 413 invalid_request, as the core answers
        : await provider.handle({ method: req.method ?? 'GET', url, headers: req.rawHeaders, body, clientAddress: req.socket.remoteAddress })
    res.statusCode = result.status                          // the result as it is: no serializer, no ETag
    for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value)
    res.end(result.body)
  })
}
