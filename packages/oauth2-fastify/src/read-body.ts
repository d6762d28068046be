import type { Readable } from 'node:stream'

/** Marks a body that went over the size cap. */
export const TOO_LARGE: unique symbol = Symbol('body too large')

/**
 * Reads the raw request body as UTF-8 text (invalid sequences become U+FFFD, as in `Response.text()`),
 * keeping at most `limit` bytes in memory. Over the cap it stops keeping bytes, lets the rest of the
 * body drain so the connection stays usable, and resolves {@link TOO_LARGE}.
 */
export function readBody(req: Readable, contentLength: string | undefined, limit: number): Promise<string | typeof TOO_LARGE> {
  const declared = Number(contentLength)
  if (declared > limit) {
    req.resume()
    return Promise.resolve(TOO_LARGE)
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        req.resume()
        resolve(TOO_LARGE)
      } else chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      resolve(new TextDecoder().decode(Buffer.concat(chunks)))
    }
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const onClose = () => {
      cleanup()
      reject(new Error('The client closed the connection before the request body was complete.'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
