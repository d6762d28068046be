import type { OAuth2RequestHeaders } from '../types.js'

/**
 * What the core reads from request headers: one case-insensitive lookup, `null` when absent. A Web
 * `Headers` is one; {@link headerLookup} makes one from a plain record without building a `Headers`.
 */
export interface HeaderLookup {
  get(name: string): string | null
}

const NONE: HeaderLookup = { get: () => null }

/** An RFC 9110 §5.1 field name (a token): what `Headers` accepts as a name. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** What `Headers` refuses in a value once trimmed (RFC 9110 §5.5: no NUL, CR or LF), or a code point above U+00FF (not a ByteString). */
const REFUSED_VALUE = /[\0\r\n\u0100-\uffff]/
/** HTTP whitespace `Headers` trims from both ends of a value (Fetch: tab, LF, CR, space). */
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g

/**
 * A case-insensitive lookup over the request's headers (a plain record, or name and value pairs as
 * Node's `rawHeaders`), with the answers a Web `Headers` built from them would give (what `handle()`
 * did before, at ~2 µs a request for undici's validation of every name and value): names matched
 * case-insensitively; values trimmed of HTTP whitespace; a value `Headers` refuses (NUL, CR, LF, a
 * code point above U+00FF) dropped, and in a record's list the values after it; repeated fields (a
 * list, the same name in two cases, repeated pairs) joined with `, ` in order (`; ` for `Cookie`, as
 * Node's `Headers` does). Duplicates thus stay visible: two `Authorization` values read as one
 * joined value, which no authentication scheme parses, so the request is still refused.
 *
 * No value is copied: a record's names are listed once, and each lookup scans them, or the pairs (a
 * handful; an endpoint asks for two or three), comparing lengths before case.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.2
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.3
 */
export function headerLookup(input: OAuth2RequestHeaders | undefined | null): HeaderLookup {
  if (input instanceof Headers) return input
  if (input === undefined || input === null || typeof input !== 'object') return NONE
  if (Array.isArray(input)) return new RawHeaders(input as readonly unknown[])
  return new RecordHeaders(input as HeaderRecord)
}

type HeaderRecord = Exclude<OAuth2RequestHeaders, Headers | readonly string[]>

/**
 * A lookup over the fields as received: name and value pairs in order (Node's `rawHeaders`), read
 * as a `Headers` to which each pair was appended would read them (a pair `Headers` refuses is left
 * out). Nothing is built per request: each lookup scans the pairs.
 */
class RawHeaders implements HeaderLookup {
  readonly #pairs: readonly unknown[]

  constructor(pairs: readonly unknown[]) {
    this.#pairs = pairs
  }

  get(name: string): string | null {
    const key = lowerCase(name)
    const pairs = this.#pairs
    let values: string[] | undefined
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const field = pairs[i]
      const value = pairs[i + 1]
      if (typeof field !== 'string' || typeof value !== 'string' || !isField(field, key)) continue
      const normalized = normalize(value)
      if (normalized !== undefined) (values ??= []).push(normalized)
    }
    return combine(values, key)
  }
}

/**
 * A lookup over a plain record. Its names are listed once, at the first lookup: a record from
 * Node (`headersDistinct`, or one with a null prototype) is a dictionary-mode object, which V8
 * enumerates through the runtime, and an endpoint looks up two or three names.
 */
class RecordHeaders implements HeaderLookup {
  readonly #record: HeaderRecord
  #names: string[] | undefined

  constructor(record: HeaderRecord) {
    this.#record = record
  }

  get(name: string): string | null {
    return lookUp(this.#record, (this.#names ??= Object.keys(this.#record)), lowerCase(name))
  }
}

/** The combined value of every field of `record` named `key` (lower case), or `null`. */
function lookUp(record: HeaderRecord, names: readonly string[], key: string): string | null {
  // Node's IncomingHttpHeaders names are lower case already (an exact match, no case folding), but a
  // record may hold the name in other cases too: Headers would join them all, in order.
  let values: string[] | undefined
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!
    if (!isField(name, key)) continue
    const value = record[name]
    if (typeof value === 'string') {
      const normalized = normalize(value)
      if (normalized !== undefined) (values ??= []).push(normalized)
    } else if (Array.isArray(value)) {
      for (const item of value as readonly unknown[]) {
        if (typeof item !== 'string') continue
        const normalized = normalize(item)
        // Headers throws on a refused value, and the list's later values were never appended.
        if (normalized === undefined) break
        ;(values ??= []).push(normalized)
      }
    }
  }
  return combine(values, key)
}

/** Whether a field `name` is the one looked up as `key` (lower case): the same name in any case, a valid field name. */
function isField(name: string, key: string): boolean {
  return name === key || (name.length === key.length && name.toLowerCase() === key && FIELD_NAME.test(name))
}

/** The values of a field as one, as `Headers` combines them (`; ` between cookies), or `null` when none. */
function combine(values: string[] | undefined, key: string): string | null {
  if (values === undefined) return null
  return values.length === 1 ? values[0]! : values.join(key === 'cookie' ? '; ' : ', ')
}

/** The value as `Headers` stores it, or `undefined` when `Headers` refuses it. */
function normalize(value: string): string | undefined {
  // Most values have no whitespace at either end: the replace (a regexp call) only runs when one does.
  const last = value.length - 1
  const trimmed = last >= 0 && (isHttpWhitespace(value.charCodeAt(0)) || isHttpWhitespace(value.charCodeAt(last))) ? value.replace(EDGE_WHITESPACE, '') : value
  return REFUSED_VALUE.test(trimmed) ? undefined : trimmed
}

/** The names the endpoints look up are a few constants: each is lower-cased once (up to 64 kept). */
const lowerCased = new Map<string, string>()

function lowerCase(name: string): string {
  let lower = lowerCased.get(name)
  if (lower === undefined) {
    lower = name.toLowerCase()
    if (lowerCased.size < 64) lowerCased.set(name, lower)
  }
  return lower
}

/** Fetch's HTTP whitespace: tab, LF, CR, space. */
function isHttpWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d
}
