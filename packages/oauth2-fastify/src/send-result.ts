import type { FastifyReply } from 'fastify'
import type { OAuth2Result } from '@x/oauth2-core'
import { serverErrorResult } from '@x/oauth2-core/adapter'

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

/**
 * {@link sendResult}, with a safety net: a result Node refuses to write (a status out of range, a
 * header name that is no token, a value with CR, LF or a character beyond Latin-1: never one the core
 * hands over, which checks what user callbacks return, but a provider of your own could) is answered with the core's generic 500 `server_error`, never with the
 * exception's text; if the headers already left, the connection is destroyed. (A refusal that comes
 * later, after an application's async onSend hook, reaches the plugin's error handler instead.)
 */
export function sendResultOrServerError(reply: FastifyReply, result: OAuth2Result): void {
  try {
    sendResult(reply, result)
  } catch {
    if (reply.raw.headersSent) return void reply.raw.destroy()
    // The refused result's headers, and the length Fastify computed for its body.
    for (const name of Object.keys(result.headers)) reply.removeHeader(name)
    reply.removeHeader('content-length')
    sendResult(reply, serverErrorResult())
  }
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
