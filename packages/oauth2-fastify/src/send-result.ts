import type { FastifyReply } from 'fastify'
import type { OAuth2Result } from '@x/oauth2-core'

/**
 * Writes a core result as it is: status, every header, the body bytes. The body goes out as a
 * `Buffer` (or not at all when empty), which Fastify sends untouched: a string would meet reply
 * serializers and default content types.
 */
export function sendResult(reply: FastifyReply, result: OAuth2Result): FastifyReply {
  reply.code(result.status).headers(result.headers)
  return result.body === '' ? reply.send() : reply.send(Buffer.from(result.body))
}
