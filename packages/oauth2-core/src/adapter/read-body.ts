/** Marks a body that went over the size cap: answer it with `bodyTooLargeResult()`. */
export const TOO_LARGE: unique symbol = Symbol('body too large')

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** The most bytes kept in memory; a larger body resolves {@link TOO_LARGE}. */
  limit: number
  /**
   * The request's `Content-Length` as received, if any: a body it declares larger than `limit` is
   * refused before a byte is read. A missing or malformed value is ignored (the cap still applies
   * while reading, so a body sent chunked or with a wrong length is stopped all the same).
   */
  contentLength?: string | null | undefined
}

/**
 * Reads a raw request body as UTF-8 text (invalid sequences become U+FFFD, as in `Response.text()`),
 * keeping at most `limit` bytes in memory: what an adapter hands to `provider.handle()`. The raw
 * bytes, not a framework's parsed body, because RFC 6749 §3.2 forbids repeated parameters and a
 * parsed body hides them.
 *
 * Over the cap it stops keeping bytes, resolves {@link TOO_LARGE} at once and lets the rest of the
 * body drain in the background, so the connection stays usable for the 413 answer and the requests
 * after it. It never ends the iteration early: that would destroy a Node stream or cancel a Web one
 * (tearing the connection down before the answer is written). A source that fails while the body
 * is still wanted rejects; one that fails while draining is ignored.
 *
 * Works on any `AsyncIterable<Uint8Array>`: a Node `IncomingMessage` (Express, Fastify) as it is, a
 * Web `ReadableStream` through its reader.
 *
 * @example
 * ```ts
 * const body = await readBody(req, { limit: DEFAULT_BODY_LIMIT, contentLength: req.headers['content-length'] })
 * if (body === TOO_LARGE) return send(bodyTooLargeResult())
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.2
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14
 */
export async function readBody(source: AsyncIterable<Uint8Array>, options: ReadBodyOptions): Promise<string | typeof TOO_LARGE> {
  const { limit } = options
  const chunks = source[Symbol.asyncIterator]()
  if (Number(options.contentLength) > limit) return drain(chunks)
  const kept: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await chunks.next()
    if (done === true) break
    size += value.byteLength
    if (size > limit) return drain(chunks)
    kept.push(value)
  }
  return new TextDecoder().decode(concat(kept, size))
}

/** Reads the rest of the body and throws it away, in the background; the cap's answer is all that matters now. */
function drain(chunks: AsyncIterator<Uint8Array>): typeof TOO_LARGE {
  const discard = async () => {
    while ((await chunks.next()).done !== true) {
      // Discarded.
    }
  }
  discard().catch(() => {})
  return TOO_LARGE
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
