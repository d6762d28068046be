import type { ServerResponse } from 'node:http'
import type { OAuth2Result } from '@x/oauth2-core'

/**
 * Writes a core result as it is: status, every header, the body bytes. Node's own response API is
 * used on purpose, so `res.send()` can add no ETag and change no content type.
 */
export function sendResult(res: ServerResponse, result: OAuth2Result): void {
  res.statusCode = result.status
  for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value)
  res.end(result.body)
}
