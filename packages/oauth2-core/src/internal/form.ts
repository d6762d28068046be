import { OAuth2Error } from '../errors/oauth2-error.js'
import { BODY_TOO_LARGE } from '../errors/to-result.js'
import { checkBodyLength, checkParameter, DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../schemas/limits.js'

/** The default largest form body the core parses, in UTF-16 code units (the adapters cap bytes first). */
export const MAX_FORM_LENGTH = DEFAULT_REQUEST_LIMITS.maxBodyLength

/**
 * Parses an `application/x-www-form-urlencoded` body into single-valued parameters.
 *
 * RFC 6749 §3.1 / §3.2: "Parameters sent without a value MUST be treated as if they were omitted
 * from the request" and "Request and response parameters MUST NOT be included more than once".
 */
export function parseForm(body: string | URLSearchParams | null | undefined, limits: RequestLimits = DEFAULT_REQUEST_LIMITS): Record<string, string> {
  const form = new FormParameters(limits)
  if (typeof body === 'string') {
    // The request limits (src/schemas/limits.ts): body size first, then each parameter read.
    checkBodyLength(body, limits, BODY_TOO_LARGE)
    if (PLAIN_FORM.test(body)) readPlainForm(body, form)
    else for (const [name, value] of new URLSearchParams(body)) form.add(name, value)
  } else if (body instanceof URLSearchParams) {
    for (const [name, value] of body) form.add(name, value)
  }
  return form.params
}

/**
 * A body with no percent-encoding and only ASCII characters: what token requests usually are (a
 * grant type, a base64url token or code, a scope). Percent-decoding and the UTF-8 round trip of the
 * WHATWG parser change nothing in it, so it is split in place, without a `URLSearchParams`.
 */
const PLAIN_FORM = /^[\0-\x24\x26-\x7f]*$/

/**
 * The WHATWG `application/x-www-form-urlencoded` parser on a plain body: `&`-separated sequences,
 * empty ones skipped; the name up to the first `=`, the value after it (none: empty); `+` is a space.
 *
 * @see https://url.spec.whatwg.org/#urlencoded-parsing
 */
function readPlainForm(body: string, form: FormParameters): void {
  const length = body.length
  // The next `=` at or after `start` (`length`: none left). Kept across sequences and searched
  // again only once passed, so a body of many names without `=` is still read in linear time.
  let eq = -1
  for (let start = 0; start < length; ) {
    let end = body.indexOf('&', start)
    if (end === -1) end = length
    if (end > start) {
      if (eq < start) {
        eq = body.indexOf('=', start)
        if (eq === -1) eq = length
      }
      if (eq >= end) form.add(plusAsSpace(body.slice(start, end)), '')
      else form.add(plusAsSpace(body.slice(start, eq)), plusAsSpace(body.slice(eq + 1, end)))
    }
    start = end + 1
  }
}

/** `+` read as a space: by slices around each `+` (a scope's few), not `replaceAll` (a large builtin for a short string). */
function plusAsSpace(value: string): string {
  let plus = value.indexOf('+')
  if (plus === -1) return value
  let spaced = ''
  let from = 0
  do {
    spaced += `${value.slice(from, plus)} `
    from = plus + 1
    plus = value.indexOf('+', from)
  } while (plus !== -1)
  return spaced + value.slice(from)
}

/** The parameters read so far, with the RFC 6749 §3.1 / §3.2 rules and the request limits applied as each is added. */
class FormParameters {
  readonly params: Record<string, string> = Object.create(null) as Record<string, string>
  /** Names sent without a value (omitted from `params`, still counted as sent): rare, so made when needed. */
  #empty: Set<string> | undefined
  readonly #limits: RequestLimits

  constructor(limits: RequestLimits) {
    this.#limits = limits
  }

  add(name: string, value: string): void {
    if (Object.hasOwn(this.params, name) || this.#empty?.has(name) === true) {
      throw new OAuth2Error('invalid_request', `The parameter '${printable(name)}' is included more than once.`)
    }
    checkParameter(name, value, this.#limits)
    if (value !== '') this.params[name] = value
    else (this.#empty ??= new Set()).add(name)
  }
}

/** Whether the request's content type is `application/x-www-form-urlencoded` (parameters allowed). */
export function isFormContentType(contentType: string | null): boolean {
  if (contentType === null) return false
  // What clients send, compared whole before any splitting or case folding.
  if (contentType === 'application/x-www-form-urlencoded') return true
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase()
  return type === 'application/x-www-form-urlencoded'
}

/** A parameter name safe to echo in an error description: printable ASCII, at most 40 characters. */
export function printable(name: string): string {
  const clean = name.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '?')
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean
}
