import type { OAuth2Result } from '../types.js'

/** RFC 9110 §5.1: a field name is a token. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/**
 * RFC 9110 §5.5: a field value is made of SP, HTAB, VCHAR and obs-text; no other control character
 * (CR, LF, NUL, DEL, ...) and nothing above U+00FF, exactly what Node's `setHeader` accepts.
 */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
/** Statuses whose response never has content (RFC 9110 §15.3.5, §15.3.6, §15.4.5). */
const NO_CONTENT = new Set([204, 205, 304])

/**
 * Checks a response a user callback built (a page renderer's `{ status, headers, body }`, a
 * `finalizeAuthorization` result) before it reaches the HTTP layer, and returns a copy with the
 * header names lower-cased: a status from 200 to 599 (no interim 1xx, nothing Node, Fetch's
 * `Response` or a browser would refuse), RFC 9110 §5.1 token names, RFC 9110 §5.5 values, a string
 * body (none for 204, 205 and 304). A header whose value is not a string is left out, as the core
 * always did. Anything else throws a `TypeError` naming `callback` and the problem: a
 * configuration mistake, which `handle()` reports to `onError` and answers with the generic
 * `server_error`, where the adapters would otherwise throw while writing it, and send the
 * exception's text.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.5
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15
 */
export function checkCallbackResult(value: unknown, callback: string): OAuth2Result {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${callback} returned ${value === null ? 'null' : typeof value}, not a { status, headers, body } result.`)
  }
  const { status, headers, body } = value as Partial<Record<keyof OAuth2Result, unknown>>
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError(`${callback} returned the status ${typeof status === 'number' ? status : typeof status}: it must be an integer from 200 to 599 (RFC 9110 §15).`)
  }
  if (typeof body !== 'string') throw new TypeError(`${callback} returned a body that is not a string.`)
  if (body !== '' && NO_CONTENT.has(status)) {
    throw new TypeError(`${callback} returned a body with the status ${status}, which has no content (RFC 9110 §15.3.5, §15.3.6, §15.4.5).`)
  }
  if (typeof headers !== 'object' || headers === null || !isPlainObject(headers)) {
    throw new TypeError(`${callback} returned headers that are not a plain object of header names to strings.`)
  }
  const checked: Record<string, string> = {}
  for (const [name, field] of Object.entries(headers)) {
    if (typeof field !== 'string') continue
    if (!FIELD_NAME.test(name)) {
      throw new TypeError(`${callback} returned the header name ${JSON.stringify(name.slice(0, 64))}, which is not an RFC 9110 §5.1 token.`)
    }
    if (!FIELD_VALUE.test(field)) {
      // Only the offending code point is named: the value may hold request data.
      const bad = [...field].find((c) => !FIELD_VALUE.test(c))!
      throw new TypeError(
        `${callback} returned a value of the header ${name} with U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}: ` +
          'RFC 9110 §5.5 allows no CR, LF, NUL or other control character and nothing above U+00FF (percent-encode such text).',
      )
    }
    checked[name.toLowerCase()] = field
  }
  return { status, headers: checked, body }
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * Whether an HTTP layer can send a result as it is: a status from 200 to 599, token header names,
 * RFC 9110 §5.5 values. What the core answers always is (its own results, and user callbacks'
 * through {@link checkCallbackResult}); an adapter whose runtime would only refuse it later, after
 * the adapter is done (@hono/node-server), checks with this and sends the generic 500 instead.
 */
export function isSendableResult({ status, headers }: OAuth2Result): boolean {
  if (!Number.isInteger(status) || status < 200 || status > 599) return false
  for (const name in headers) {
    if (!FIELD_NAME.test(name) || !FIELD_VALUE.test(headers[name]!)) return false
  }
  return true
}
