import type { OAuth2Result } from '../types.js'
import { OAuth2Error } from './oauth2-error.js'

/** Headers every token-style JSON response carries (RFC 6749 §5.1: no caching of credentials). */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
})

/** A JSON result with the given status and headers. */
export function jsonResult(status: number, body: unknown, headers: Record<string, string> = {}): OAuth2Result {
  return {
    status,
    // Every token response's headers, as a literal: spreading the frozen NO_STORE_HEADERS takes V8's
    // generic property copy (~0.6k instructions per response).
    headers: headers === NO_STORE_HEADERS ? noStoreJsonHeaders() : { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  }
}

/** `content-type` JSON and {@link NO_STORE_HEADERS}, a new object each time (the result is the caller's). */
function noStoreJsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' }
}

/**
 * Turns an {@link OAuth2Error} into its RFC 6749 §5.2 response: a JSON object with `error` and,
 * where present, `error_description` and `error_uri`, never caching (§5.1 applies to errors too).
 * The private `detail` never leaves this function.
 */
export function errorToResult(error: OAuth2Error, extraHeaders: Record<string, string> = NO_STORE_HEADERS): OAuth2Result {
  const body: Record<string, string> = { error: toErrorCodeSyntax(error.error) }
  if (error.description !== undefined) body['error_description'] = toDescriptionSyntax(error.description)
  if (error.uri !== undefined) body['error_uri'] = toDescriptionSyntax(error.uri)
  return jsonResult(error.status, body, { ...extraHeaders, ...error.headers })
}

/** The generic 500: the exception itself is reported to `onError`, never sent (RFC 6749 §5.2 `server_error`). */
export function serverErrorResult(extraHeaders: Record<string, string> = NO_STORE_HEADERS): OAuth2Result {
  return errorToResult(
    new OAuth2Error('server_error', 'The authorization server encountered an unexpected condition.'),
    extraHeaders,
  )
}

/**
 * The answer to a request body over the size cap: RFC 6749 §5.2 `invalid_request` with status 413.
 * The core sends it for an oversized form; adapters send it when their byte cap stops reading
 * first, so both give the same bytes.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14
 */
export function bodyTooLargeResult(): OAuth2Result {
  return errorToResult(new OAuth2Error('invalid_request', BODY_TOO_LARGE, { status: 413 }))
}

/** The `error_description` of {@link bodyTooLargeResult}. */
export const BODY_TOO_LARGE = 'The request body is too large.'

/** RFC 6749 §5.2: `error` is 1*NQSCHAR; anything else is replaced by `server_error`. */
function toErrorCodeSyntax(code: string): string {
  return /^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(code) ? code : 'server_error'
}

/** RFC 6749 §5.2: `error_description` and `error_uri` may only hold %x20-21 / %x23-5B / %x5D-7E. */
function toDescriptionSyntax(text: string): string {
  return text.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, ' ').slice(0, 500)
}
