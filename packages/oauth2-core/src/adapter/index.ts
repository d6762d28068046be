/**
 * `@x/oauth2-core/adapter`: what a framework adapter (`@x/oauth2-express`, `@x/oauth2-fastify`,
 * `@x/oauth2-hono`, or your own) needs besides the provider: the capped raw-body read, the body cap
 * option, the pathname the provider routes by, and the generic 500 to answer with when a result
 * cannot be written. Web APIs only, like the rest of the core, so it
 * serves adapters on Node, Bun, Deno and Workers alike.
 *
 * @example
 * ```ts
 * import { bodyTooLargeResult } from '@x/oauth2-core'
 * import { readBody, resolveBodyLimit, TOO_LARGE } from '@x/oauth2-core/adapter'
 *
 * const limit = resolveBodyLimit(options.bodyLimit, 'myAdapter')
 * const body = await readBody(nodeRequest, { limit, contentLength: nodeRequest.headers['content-length'] })
 * const result = body === TOO_LARGE ? bodyTooLargeResult() : await provider.handle({ method, url, headers, body })
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 * @module
 */

export { readBody, TOO_LARGE, UNREADABLE, type ReadBodyOptions } from './read-body.js'
export { DEFAULT_BODY_LIMIT, resolveBodyLimit } from './body-limit.js'
export { requestPathname } from './request-pathname.js'
// The core's own generic 500 (RFC 6749 §5.2 `server_error`, no-store): what an adapter answers when
// the framework refuses to write a result, so that the exception's text is never sent.
export { serverErrorResult } from '../errors/to-result.js'
export { isSendableResult } from '../internal/callback-result.js'
