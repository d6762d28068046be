/**
 * Request headers as the core accepts them: a Web `Headers`; a plain record such as Node's
 * `headersDistinct` (names in any case; repeated values as arrays); or the fields as received, a
 * flat list of name and value pairs such as Node's `rawHeaders` (`['Host', 'as.example', ...]`),
 * which a Node adapter passes as it is, without building a record.
 */
export type OAuth2RequestHeaders = Headers | Record<string, string | readonly string[] | undefined> | readonly string[]

/**
 * The plain request {@link OAuth2Provider.handle} takes. Adapters build it from their framework's
 * request; tests write it as a literal.
 */
export interface OAuth2Request {
  /** HTTP method, e.g. `'POST'`. */
  method: string
  /** The request URL: absolute, or a path with query, resolved against the issuer. Only the path routes. */
  url: string
  /** Request headers. */
  headers: OAuth2RequestHeaders
  /** The raw body: the form string as received, or `URLSearchParams` (duplicates preserved). */
  body?: string | URLSearchParams | null | undefined
  /**
   * The network address of the user agent (e.g. `'203.0.113.7'`), which adapters fill from the
   * socket (or a trusted proxy header). Optional: the device flow's verification page uses it to
   * limit user-code guessing per address (RFC 8628 §5.1); without it only the per-code limit applies.
   */
  clientAddress?: string | undefined
}

/** The plain result of {@link OAuth2Provider.handle}: adapters write it out unchanged. */
export interface OAuth2Result {
  /** HTTP status code. */
  status: number
  /** Response headers, lower-case names. */
  headers: Record<string, string>
  /** The serialized body (`''` when the response has none). */
  body: string
}
