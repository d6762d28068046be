/** Marks a body that went over the size cap: answer it with `bodyTooLargeResult()`. */
export const TOO_LARGE: unique symbol = Symbol('body too large')

/**
 * Marks a body whose source failed (the client went away mid-body): no one is left to answer, so
 * close the connection. {@link readBody} rejects then; an adapter that turns the rejection into a
 * value uses this one, as the core's adapters do.
 */
export const UNREADABLE: unique symbol = Symbol('body unreadable')

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
 * Web `ReadableStream` through its reader. A Node stream is read through its events rather than its
 * async iterator, which costs several microseconds per request; both read it the same way.
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
  if (isNodeReadable(source)) return readEvents(source, options)
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
  return UTF8.decode(concat(kept, size))
}

/** UTF-8, invalid sequences as U+FFFD, BOM dropped (as `Response.text()`); `decode` without `stream` keeps no state, so one serves every request. */
const UTF8 = new TextDecoder()

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

/** What the event path uses of a Node `Readable`, found by its shape: the core has no Node types or imports. */
interface NodeReadable {
  on(event: string, listener: (arg: never) => void): unknown
  removeListener(event: string, listener: (arg: never) => void): unknown
  resume(): unknown
  readonly readableEnded?: unknown
  readonly destroyed?: unknown
  readonly errored?: unknown
}

/**
 * A Node readable stream that will still emit its events. One that has ended, been destroyed or
 * failed already emits nothing more: the async iterator reports its state instead, as before.
 */
function isNodeReadable(source: object): source is NodeReadable & AsyncIterable<Uint8Array> {
  const stream = source as Partial<NodeReadable>
  return (
    typeof stream.on === 'function' &&
    typeof stream.removeListener === 'function' &&
    typeof stream.resume === 'function' &&
    stream.readableEnded !== true &&
    stream.destroyed !== true &&
    (stream.errored === null || stream.errored === undefined)
  )
}

/**
 * {@link readBody} on a Node stream's 'data' / 'end' / 'error' / 'close' events, with the async
 * iterator's outcomes: the text at 'end'; a rejection on 'error', or on 'close' before 'end' (a
 * premature close, the iterator's ERR_STREAM_PREMATURE_CLOSE). Over the cap it resolves TOO_LARGE
 * and keeps the stream flowing to its end, keeping no bytes: a later failure then settles nothing.
 */
function readEvents(stream: NodeReadable, { limit, contentLength }: ReadBodyOptions): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    // undefined once the body is refused: the rest is drained.
    let kept: Uint8Array[] | undefined = Number(contentLength) > limit ? undefined : []
    let size = 0
    const onData = (chunk: Uint8Array) => {
      if (kept === undefined) return
      size += chunk.byteLength
      if (size > limit) {
        kept = undefined
        resolve(TOO_LARGE)
      } else {
        kept.push(chunk)
      }
    }
    const onEnd = () => {
      stop()
      if (kept !== undefined) resolve(UTF8.decode(concat(kept, size)))
    }
    // After TOO_LARGE the promise is settled, and these rejections are no-ops.
    const onError = (error: unknown) => {
      stop()
      reject(error)
    }
    const onClose = () => {
      stop()
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))
    }
    const stop = () => {
      stream.removeListener('data', onData)
      stream.removeListener('end', onEnd)
      stream.removeListener('error', onError)
      stream.removeListener('close', onClose)
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
    if (kept === undefined) resolve(TOO_LARGE)
    // Flowing even if someone paused it, as the iterator reads a paused stream too.
    stream.resume()
  })
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
