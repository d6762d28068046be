import type { FastifyReply } from 'fastify'
import type { OAuth2Result } from '@x/oauth2-core'

/**
 * A `type/subtype; charset=...` value Fastify sends a string body with as it is: one it cannot parse
 * would be replaced, and a JSON one without a charset would get `; charset=utf-8` added. The core's
 * content types are all of this form.
 */
const KEPT_CONTENT_TYPE = /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+; ?charset=[\w!#$%&'*+.^`|~-]+$/

/**
 * Writes a core result as it is: status, every header, the body bytes. With a content type Fastify
 * keeps, the body goes out as the string, which Node writes with the headers in one chunk, and the
 * application's default reply serializer does not run on it; any other body goes out as a `Buffer`,
 * so Fastify adds no charset to it. An empty body is not sent at all.
 */
export function sendResult(reply: FastifyReply, result: OAuth2Result): FastifyReply {
  reply.code(result.status).headers(result.headers)
  if (result.body === '') return reply.send()
  const contentType = result.headers['content-type']
  return reply.send(contentType !== undefined && isKept(contentType) ? result.body : Buffer.from(result.body))
}

/** The core answers with a handful of content types: each is tested once (up to 32 kept). */
const kept = new Map<string, boolean>()

function isKept(contentType: string): boolean {
  let answer = kept.get(contentType)
  if (answer === undefined) {
    answer = KEPT_CONTENT_TYPE.test(contentType)
    if (kept.size < 32) kept.set(contentType, answer)
  }
  return answer
}
