/** Marks a body that went over the size cap. */
export const TOO_LARGE: unique symbol = Symbol('body too large')

/**
 * Reads the raw request body as UTF-8 text (invalid sequences become U+FFFD, as in `Response.text()`),
 * keeping at most `limit` bytes in memory. Over the cap it stops keeping bytes, lets the rest drain
 * in the background (cancelling could tear down the connection before the answer is written), and
 * resolves {@link TOO_LARGE}.
 */
export async function readBody(request: Request, limit: number): Promise<string | typeof TOO_LARGE> {
  if (request.body === null) return ''
  if (request.bodyUsed) {
    throw new TypeError('honoOAuth2: the request body was already read by an earlier middleware; mount honoOAuth2() before body-reading middleware.')
  }
  const reader = request.body.getReader()
  if (Number(request.headers.get('content-length')) > limit) return drain(reader)
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) return drain(reader)
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function drain(reader: ReadableStreamDefaultReader<Uint8Array>): typeof TOO_LARGE {
  const discard = async () => {
    while (!(await reader.read()).done) {
      // Discarded: only the cap's answer matters now.
    }
  }
  discard().catch(() => {})
  return TOO_LARGE
}
