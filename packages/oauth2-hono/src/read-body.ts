import { readBody, TOO_LARGE, UNREADABLE } from '@x/oauth2-core/adapter'

/** A `Content-Length` value as RFC 9110 §8.6 defines it: one or more digits (a list or a sign is not one). */
const CONTENT_LENGTH = /^\d+$/

/** The decoder `readBody` uses (UTF-8, invalid sequences as U+FFFD, BOM dropped); `decode` without `stream` keeps no state. */
const UTF8 = new TextDecoder()

/**
 * Reads a Web request's raw body: `''` without a body, {@link TOO_LARGE} over `limit`,
 * {@link UNREADABLE} when its source fails (the client went away). Refuses a body an earlier
 * middleware consumed, which would otherwise reach the core as an empty one.
 *
 * With a declared `Content-Length` within the cap (the common case), the body is read whole with
 * `arrayBuffer()`: the HTTP framing bounds it, and on @hono/node-server that reads the socket
 * directly, where touching `request.body` makes it build a full undici `Request` and a Web stream
 * per request (about half of the adapter's CPU per request in `bench/`). The bytes read are checked
 * against the cap again, for runtimes that hand over a `Request` whose header does not bound its
 * body. A declared length over the cap, a malformed one, or none (chunked) goes to the core's
 * capped stream reader (`readBody` of `@x/oauth2-core/adapter`), which refuses the first at once and
 * stops keeping bytes past the cap for the others. Both paths decode identically.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.6
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14
 */
export async function readRequestBody(request: Request, limit: number): Promise<string | typeof TOO_LARGE | typeof UNREADABLE> {
  // bodyUsed first: on @hono/node-server it is answered without building the undici Request.
  if (request.bodyUsed) throw alreadyRead()
  const method = request.method
  // A GET or HEAD request has no body (Fetch: its Request is built with a null body).
  if (method === 'GET' || method === 'HEAD') return ''
  const declared = request.headers.get('content-length')
  try {
    if (declared !== null && CONTENT_LENGTH.test(declared) && Number(declared) <= limit) {
      const bytes = await request.arrayBuffer()
      if (bytes.byteLength > limit) return TOO_LARGE
      return UTF8.decode(bytes)
    }
    if (request.body === null) return ''
    return await readBody(chunksOf(request.body.getReader()), { limit, contentLength: declared })
  } catch {
    return UNREADABLE
  }
}

function alreadyRead(): TypeError {
  return new TypeError('honoOAuth2: the request body was already read by an earlier middleware; mount honoOAuth2() before body-reading middleware.')
}

/**
 * The stream's chunks through its reader, which every runtime Hono runs on has (a stream's own async
 * iterator is not everywhere yet). `readBody` never ends it early, so the stream is never cancelled.
 */
async function* chunksOf(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    yield value
  }
}
