import type { FastifyRequest } from 'fastify'
import type { OAuth2Request } from '@x/oauth2-core'

/**
 * The core's request: the method, the URL path and query relative to the server root, the headers
 * as received, the raw body, and the client's address.
 */
export function toOAuth2Request(request: FastifyRequest, body: string | undefined): OAuth2Request {
  return {
    method: request.method,
    url: request.url,
    headers: headersOf(request),
    body,
    // The socket's address, or the client's when the app sets trustProxy.
    clientAddress: request.ip,
  }
}

/**
 * Every header as received: Node's `rawHeaders`, the name and value pairs in order, which the core
 * reads as they are. Node's `headers` keeps only the first of some repeated fields (such as
 * Authorization); the core must see them all to refuse them. `fastify.inject` requests have
 * `rawHeaders` too.
 */
export function headersOf(request: FastifyRequest): readonly string[] {
  return request.raw.rawHeaders
}
