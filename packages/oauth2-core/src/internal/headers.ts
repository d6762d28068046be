import type { OAuth2RequestHeaders } from '../types.js'

/** Normalizes either header shape to a Web `Headers` (case-insensitive lookups). */
export function toHeaders(input: OAuth2RequestHeaders | undefined | null): Headers {
  if (input instanceof Headers) return input
  const headers = new Headers()
  if (input === undefined || input === null || typeof input !== 'object') return headers
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    try {
      if (typeof value === 'string') headers.append(name, value)
      else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') headers.append(name, v)
    } catch {
      // A name or value Headers refuses (control characters) cannot be a header we read: drop it.
    }
  }
  return headers
}
