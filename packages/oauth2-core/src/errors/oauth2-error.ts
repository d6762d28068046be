import { statusOf, type OAuth2ErrorCode } from './codes.js'

/** Options of an {@link OAuth2Error}. */
export interface OAuth2ErrorOptions {
  /** HTTP status; defaults to the code's status ({@link statusOf}). */
  status?: number
  /** Private detail for `onError` and logs; never sent to the client. */
  detail?: string
  /** Extra response headers, e.g. `WWW-Authenticate` or `Allow`. */
  headers?: Record<string, string>
  /** `error_uri` (RFC 6749 §5.2). */
  uri?: string
  /** The underlying error, if any. */
  cause?: unknown
}

/**
 * A protocol error: what the client did wrong, in the words of the RFCs.
 *
 * `description` is public (sent as `error_description`); `detail` is private.
 * `errors/to-result.ts` is the only place one becomes a response.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export class OAuth2Error extends Error {
  override readonly name = 'OAuth2Error'
  /** The wire error code. */
  readonly error: OAuth2ErrorCode | (string & {})
  /** The public `error_description`. */
  readonly description: string | undefined
  /** The HTTP status the error is sent with. */
  readonly status: number
  /** Private detail, handed to `onError`, never sent. */
  readonly detail: string | undefined
  /** Extra response headers. */
  readonly headers: Record<string, string>
  /** The public `error_uri`. */
  readonly uri: string | undefined

  constructor(error: OAuth2ErrorCode | (string & {}), description?: string, options: OAuth2ErrorOptions = {}) {
    super(description ?? error, options.cause === undefined ? undefined : { cause: options.cause })
    this.error = error
    this.description = description
    this.status = options.status ?? statusOf(error)
    this.detail = options.detail
    this.headers = options.headers ?? {}
    this.uri = options.uri
  }
}
