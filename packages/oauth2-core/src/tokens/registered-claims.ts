/**
 * The registered claims of RFC 7519 §4.1 a caller may give for a token the core signs, and any
 * other claim. A claim given as `undefined` keeps its default (or is left out), so optional values
 * (`{ sub: user?.id }`) type-check with `exactOptionalPropertyTypes` too.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519#section-4.1
 */
export interface RegisteredClaims {
  iss?: string | undefined
  aud?: string | string[] | undefined
  exp?: number | undefined
  nbf?: number | undefined
  iat?: number | undefined
  jti?: string | undefined
  [claim: string]: unknown
}
