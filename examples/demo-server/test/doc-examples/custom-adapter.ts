import { createServer, type ServerResponse } from 'node:http'
import { bodyTooLargeResult, type OAuth2Provider, type OAuth2Result } from '@x/oauth2-core'
import { readBody, requestPathname, resolveBodyLimit, TOO_LARGE } from '@x/oauth2-core/adapter'

export function serveProvider(provider: OAuth2Provider, options: { bodyLimit?: number } = {}) {
  const limit = resolveBodyLimit(options.bodyLimit, 'serveProvider')
  return createServer(async (req, res) => {
    const url = req.url ?? '/'
    if (!provider.hasRoute(requestPathname(url, provider.issuer))) {
      res.statusCode = 404                                  // not the provider's: your own routes go here
      return void res.end()
    }
    let body: string | typeof TOO_LARGE = ''                // a GET or HEAD has no body: not read, not capped
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      try {
        body = await readBody(req, { limit, contentLength: req.headers['content-length'] })
      } catch {
        return void res.destroy()                           // the client went away mid-body: no one to answer
      }
    }
    const result =
      body === TOO_LARGE
        ? bodyTooLargeResult()                              // 413 invalid_request, as the core answers
        : await provider.handle({ method: req.method ?? 'GET', url, headers: req.rawHeaders, body, clientAddress: req.socket.remoteAddress })
    write(res, result)                                      // the core checks every result it hands over: Node can send it
  })
}

function write(res: ServerResponse, result: OAuth2Result) {
  res.statusCode = result.status                          // the result as it is: no serializer, no ETag
  for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value)
  res.end(result.body)
}
