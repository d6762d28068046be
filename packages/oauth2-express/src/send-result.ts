import type { ServerResponse } from 'node:http'
import type { OAuth2Result } from '@x/oauth2-core'
import { serverErrorResult } from '@x/oauth2-core/adapter'

/**
 * Writes a core result as it is: status, every header, the body bytes. Node's own response API is
 * used on purpose, so `res.send()` can add no ETag and change no content type.
 *
 * A result Node refuses to write (a status out of range, a header name that is no token, a value with
 * CR, LF or a character beyond Latin-1: never one the core hands over, which checks what user callbacks
 * return, but a provider of your own could) is answered with the
 * core's generic 500 `server_error` instead; the exception's text is never sent. If the headers were
 * already on their way, the connection is destroyed.
 */
export function sendResult(res: ServerResponse, result: OAuth2Result): void {
  try {
    write(res, result)
  } catch {
    if (res.headersSent) return void res.destroy()
    // The headers of the refused result that Node took before it threw (an application's own stay).
    for (const name of Object.keys(result.headers)) res.removeHeader(name)
    write(res, serverErrorResult())
  }
}

function write(res: ServerResponse, result: OAuth2Result): void {
  res.statusCode = result.status
  for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value)
  res.end(result.body)
}
