/**
 * No string of a request outlives it: what the core keeps of a request (a client id, scope tokens)
 * must not hold the request's other strings, which may carry a client secret, in the heap.
 */

/**
 * A string equal to `value` that shares no memory with the string it was cut from.
 *
 * V8 represents a `slice()` of 13 or more characters as a view on the whole original string. A value
 * read out of a request (the form body, the decoded Basic credentials) and then kept, for instance
 * as the client id of a stored token, would keep that whole original alive for the token's
 * lifetime: with `client_secret_post` or `client_secret_basic`, the client's secret, in clear, in
 * the heap (and in any heap dump) for hours. A JSON round trip builds a new string, equal to the
 * first code unit for code unit (lone surrogates included). Used where the core keeps a request's
 * value and has no string of its own for it; it runs only on such a value, not per parameter.
 */
export function detach(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string
}

const EMPTY = /(?:)/

/**
 * Lets go of the last string a regular expression matched. The legacy RegExp statics (`RegExp.input`,
 * `RegExp.$_`, `RegExp.lastMatch`) keep it until the next successful match anywhere in the process:
 * in an idle server, a slice of the last request's body, and with it that body's `client_secret`.
 * A match of the empty pattern on the empty string replaces it.
 */
export function forgetLastMatch(): void {
  EMPTY.test('')
}
