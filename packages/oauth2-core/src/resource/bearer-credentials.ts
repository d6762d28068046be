/** RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110 §11.1). */
const BEARER_CREDENTIALS = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i
/** The scheme a header names: a token up to the first space or tab, so `Bearer<TAB>x` is a malformed Bearer credential, not another scheme. */
const AUTH_SCHEME = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:[ \t]|$)/

/**
 * Whether an `Authorization` value names the Bearer scheme (well formed or not): what RFC 6750
 * counts as a token sent in the header. Surrounding whitespace is no part of a field value
 * (RFC 9110 §5.5).
 */
export function namesBearerScheme(authorization: string | null): boolean {
  return authorization !== null && AUTH_SCHEME.exec(authorization.trim())?.[1]?.toLowerCase() === 'bearer'
}

/** The b64token of a well-formed Bearer credential (RFC 6750 §2.1), or `undefined`. */
export function bearerToken(authorization: string): string | undefined {
  return BEARER_CREDENTIALS.exec(authorization.trim())?.[1]
}
