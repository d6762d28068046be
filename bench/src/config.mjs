/**
 * What every subject of the benchmark shares: one issuer, one confidential client authenticating
 * with client_secret_basic (RFC 6749 §2.3.1), the same two scopes, the same requests. The peers
 * and the hello-worlds get byte-identical requests, so what differs between subjects is the server.
 */
export const ISSUER = 'http://127.0.0.1:3000'
export const TOKEN_PATH = '/oauth2/token'
export const CLIENT_ID = 'bench-client'
export const CLIENT_SECRET = 'bench-secret-8d4b1f0a6e2c4a97b3f1'
export const SCOPE = 'read write'
/** Audience of the peers' JWT access tokens (oidc-provider needs a resource server for JWTs). */
export const RESOURCE = 'urn:bench:api'
/** The user every refresh-token grant belongs to. */
export const SUBJECT = 'user-1'
/** Access-token lifetime, seconds, for every subject. */
export const TOKEN_TTL = 3600

/** RFC 6749 §2.3.1: form-url-encode, then base64 the `id:secret` pair. */
export const BASIC = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64')}`

export const FORM_HEADERS = {
  'content-type': 'application/x-www-form-urlencoded',
  authorization: BASIC,
}

export const CLIENT_CREDENTIALS_BODY = new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE }).toString()

/** A rotating refresh request for `token`. */
export function refreshBody(token) {
  return `grant_type=refresh_token&refresh_token=${encodeURIComponent(token)}`
}

/** The refresh_token member of a JSON token response, without parsing all of it. */
export function refreshTokenOf(body) {
  const match = /"refresh_token":"([^"]+)"/.exec(body)
  return match === null ? undefined : match[1]
}
