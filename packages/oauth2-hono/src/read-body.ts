import { readBody, TOO_LARGE } from '@x/oauth2-core/adapter'

/**
 * Reads a Web request's raw body with the core's capped reader (`readBody` of
 * `@x/oauth2-core/adapter`): `''` without a body, {@link TOO_LARGE} over `limit`. Refuses a body an
 * earlier middleware consumed, which would otherwise reach the core as an empty one.
 */
export async function readRequestBody(request: Request, limit: number): Promise<string | typeof TOO_LARGE> {
  if (request.body === null) return ''
  if (request.bodyUsed) {
    throw new TypeError('honoOAuth2: the request body was already read by an earlier middleware; mount honoOAuth2() before body-reading middleware.')
  }
  return readBody(chunksOf(request.body.getReader()), { limit, contentLength: request.headers.get('content-length') })
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
