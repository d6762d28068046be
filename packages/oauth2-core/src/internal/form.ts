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
  let params: URLSearchParams
  if (body instanceof URLSearchParams) params = body
  else if (typeof body === 'string') {
    // The request limits (src/schemas/limits.ts): body size first, then each parameter read.
    checkBodyLength(body, limits, BODY_TOO_LARGE)
    params = new URLSearchParams(body)
  } else params = new URLSearchParams()

  const out: Record<string, string> = Object.create(null) as Record<string, string>
  const seen = new Set<string>()
  for (const [name, value] of params) {
    if (seen.has(name)) {
      throw new OAuth2Error('invalid_request', `The parameter '${printable(name)}' is included more than once.`)
    }
    seen.add(name)
    checkParameter(name, value, limits)
    if (value !== '') out[name] = value
  }
  return out
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
