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
 * Every header as received. Node's `headers` keeps only the first of some repeated fields (such as
 * Authorization); the core must see them all to refuse them, so they are rebuilt from `rawHeaders`.
 */
export function headersOf(request: FastifyRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>
  const raw = request.raw.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) (headers[raw[i]!.toLowerCase()] ??= []).push(raw[i + 1]!)
  return headers
}
