import { timingSafeEqual } from '../internal/constant-time.js'
import { randomToken } from '../internal/random.js'
import { INTERACTION_FIELDS } from './fields.js'

/** A CSRF token and the `Set-Cookie` header value that (re)sets it. */
export interface CsrfToken {
  token: string
  setCookie: string
}

/** 32 random bytes, base64url: exactly what {@link ensureCsrfToken} issues. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** How long the cookie lives, seconds: longer than anyone spends on a sign-in page. */
const COOKIE_MAX_AGE = 3600

/**
 * The CSRF cookie's name. `__Host-` (RFC 6265bis §4.1.3.2) binds it to this host, `Secure` and
 * `Path=/`, so no sibling subdomain can plant one; a plain-http issuer (only allowed on localhost)
 * gets a plain name, since browsers may refuse `Secure` cookies over http.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-4.1.3.2
 */
export function csrfCookieName(issuer: string): string {
  return isHttps(issuer) ? '__Host-oauth2_csrf' : 'oauth2_csrf'
}

/**
 * The request's CSRF token, or a fresh one. A well-formed token already in the cookie is kept, so
 * two tabs signing in at once do not void each other's forms. Always returns the `Set-Cookie` value
 * (refreshing its lifetime).
 */
export function ensureCsrfToken(headers: Pick<Headers, 'get'>, issuer: string): CsrfToken {
  const name = csrfCookieName(issuer)
  const existing = readCookie(headers, name)
  const token = existing !== undefined && TOKEN_PATTERN.test(existing) ? existing : randomToken(32)
  const secure = isHttps(issuer) ? '; Secure' : ''
  return { token, setCookie: `${name}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${COOKIE_MAX_AGE}${secure}` }
}

/**
 * Double-submit check (RFC 6749 §10.12, OWASP "double submit cookie"): the `oauth2_csrf` field
 * must equal the cookie, compared in constant time. A cross-site form cannot read or set the
 * cookie, so it cannot produce the matching field.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export async function checkCsrf(headers: Pick<Headers, 'get'>, form: Readonly<Record<string, string>>, issuer: string): Promise<boolean> {
  const cookie = readCookie(headers, csrfCookieName(issuer))
  const field = form[INTERACTION_FIELDS.csrf]
  if (cookie === undefined || field === undefined || !TOKEN_PATTERN.test(cookie)) return false
  return timingSafeEqual(cookie, field)
}

/**
 * The value of the cookie named `name` in the request's `Cookie` header(s), split on `;` only
 * (RFC 6265 §4.2.1; the core joins repeated Cookie headers with `; `). A comma is no separator: a
 * sibling subdomain may set a cookie whose value is `a,__Host-oauth2_csrf=<token>`, and reading it
 * as a pair would hand it the `__Host-` cookie's place. A header naming the cookie twice (one of
 * them planted) gives no value at all.
 */
function readCookie(headers: Pick<Headers, 'get'>, name: string): string | undefined {
  const header = headers.get('cookie')
  if (header === null) return undefined
  let value: string | undefined
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=')
    if (index === -1 || pair.slice(0, index).trim() !== name) continue
    if (value !== undefined) return undefined
    value = pair.slice(index + 1).trim()
  }
  return value
}

function isHttps(issuer: string): boolean {
  return new URL(issuer).protocol === 'https:'
}
