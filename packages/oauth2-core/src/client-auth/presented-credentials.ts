import { decodeJwt, decodeProtectedHeader } from 'jose'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { decodeBase64 } from '../internal/base64.js'
import type { ClientAuthMethodName } from './client-metadata.js'

/** RFC 7523 §2.2: the only client assertion type this library accepts. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** What a request presents to authenticate its client, before anything is verified. */
export type PresentedCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  | { method: 'client_secret_jwt' | 'private_key_jwt'; clientId: string; assertion: string; alg: string }
  | { method: 'none'; clientId: string }
  | { method: undefined; clientId: undefined }

/**
 * Reads the client credentials of a request: HTTP Basic (RFC 6749 §2.3.1), form secret (§2.3.1),
 * JWT assertion (RFC 7523 §2.2) or a bare `client_id` (public client, §2.1).
 *
 * RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
 */
export function extractCredentials(authorization: string | null, params: Record<string, string>): PresentedCredentials {
  const basic = parseBasic(authorization)
  const bodySecret = params['client_secret']
  const assertionType = params['client_assertion_type']
  const assertion = params['client_assertion']
  const bodyClientId = params['client_id']

  // Counted, not collected in an array: this runs on every token request.
  const used = (basic !== undefined ? 1 : 0) + (bodySecret !== undefined ? 1 : 0) + (assertion !== undefined || assertionType !== undefined ? 1 : 0)
  if (used > 1) {
    throw new OAuth2Error('invalid_request', 'The request uses more than one client authentication method.')
  }

  if (basic !== undefined) {
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) {
      throw new OAuth2Error('invalid_request', 'The client_id parameter does not match the authenticated client.')
    }
    return { method: 'client_secret_basic', clientId: basic.clientId, clientSecret: basic.clientSecret }
  }
  if (bodySecret !== undefined) {
    if (bodyClientId === undefined) {
      throw new OAuth2Error('invalid_request', 'The client_secret parameter requires client_id.')
    }
    return { method: 'client_secret_post', clientId: bodyClientId, clientSecret: bodySecret }
  }
  if (assertion !== undefined || assertionType !== undefined) {
    if (assertion === undefined || assertionType === undefined) {
      throw new OAuth2Error('invalid_request', 'client_assertion and client_assertion_type must be sent together.')
    }
    if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
      throw new OAuth2Error('invalid_client', 'The client_assertion_type is not supported.')
    }
    return parseAssertion(assertion, bodyClientId)
  }
  if (bodyClientId !== undefined) return { method: 'none', clientId: bodyClientId }
  return { method: undefined, clientId: undefined }
}

function parseAssertion(assertion: string, bodyClientId: string | undefined): PresentedCredentials {
  let alg: unknown
  let iss: unknown
  let sub: unknown
  try {
    alg = decodeProtectedHeader(assertion).alg
    ;({ iss, sub } = decodeJwt(assertion))
  } catch {
    throw new OAuth2Error('invalid_client', 'The client_assertion is not a well-formed JWT.')
  }
  // RFC 7523 §3: iss and sub MUST both be the client_id.
  if (typeof iss !== 'string' || iss === '' || iss !== sub) {
    throw new OAuth2Error('invalid_client', 'The client_assertion must have iss and sub equal to the client_id.')
  }
  if (bodyClientId !== undefined && bodyClientId !== iss) {
    throw new OAuth2Error('invalid_client', 'The client_id parameter does not match the client_assertion.')
  }
  if (typeof alg !== 'string' || alg === 'none') {
    throw new OAuth2Error('invalid_client', 'The client_assertion must be signed.')
  }
  const method: ClientAuthMethodName = alg.startsWith('HS') ? 'client_secret_jwt' : 'private_key_jwt'
  return { method, clientId: iss, assertion, alg }
}

const decoder = new TextDecoder('utf-8', { fatal: true })
/** The decoded credentials of the usual Basic header (longer ones take the general reading). */
const USUAL_BYTES = new Uint8Array(1024)
/** Views of `USUAL_BYTES` by length: a client sends credentials of the same length every time. */
const usualViews: Uint8Array[] = []

/** RFC 6749 §2.3.1 + RFC 7617: base64 of `urlencode(id) ":" urlencode(secret)`. `undefined` when no Basic header. */
function parseBasic(authorization: string | null): { clientId: string; clientSecret: string } | undefined {
  if (authorization === null) return undefined
  // What clients send (`Basic <padded base64>`, one space, nothing around) is checked and decoded
  // in one pass; any other form (other spacing, another scheme, unpadded or malformed credentials)
  // goes through the general reading.
  let decoded: string | undefined
  if (isUsualBasic(authorization)) {
    try {
      const length = decodeBase64(authorization, 6, USUAL_BYTES)
      if (length >= 0) decoded = utf8((usualViews[length] ??= USUAL_BYTES.subarray(0, length)))
    } finally {
      // The bytes held a client secret: none stays past its request, also from a decoding that
      // stopped at a bad character after writing the groups before it.
      const written = Math.min(USUAL_BYTES.length, ((authorization.length - 6) * 3) >> 2)
      for (let i = 0; i < written; i++) USUAL_BYTES[i] = 0
    }
  }
  if (decoded === undefined) {
    const encoded = basicCredentials(authorization)
    if (encoded === undefined) return undefined
    decoded = decodeCredentials(encoded)
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) throw malformedBasic()
  try {
    const clientId = formDecode(decoded.slice(0, colon))
    const clientSecret = formDecode(decoded.slice(colon + 1))
    if (clientId === '') throw malformedBasic()
    return { clientId, clientSecret }
  } catch {
    throw malformedBasic()
  }
}

/** `Basic ` (the scheme in any case, RFC 9110 §11.1) and at least one character after it. */
function isUsualBasic(authorization: string): boolean {
  return (
    authorization.length > 6 &&
    (authorization.charCodeAt(0) | 0x20) === 0x62 &&
    (authorization.charCodeAt(1) | 0x20) === 0x61 &&
    (authorization.charCodeAt(2) | 0x20) === 0x73 &&
    (authorization.charCodeAt(3) | 0x20) === 0x69 &&
    (authorization.charCodeAt(4) | 0x20) === 0x63 &&
    authorization.charCodeAt(5) === 0x20
  )
}

/** The credentials' bytes as UTF-8; anything else is a malformed header. */
function utf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes)
  } catch {
    throw malformedBasic()
  }
}

/** Base64 credentials (already checked as token68) decoded with `atob`, then as UTF-8. */
function decodeCredentials(encoded: string): string {
  let binary: string
  try {
    binary = atob(encoded)
  } catch {
    throw malformedBasic()
  }
  // ASCII credentials are their own UTF-8 decoding.
  if (/^[\x00-\x7f]*$/.test(binary)) return binary
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return utf8(bytes)
}

/**
 * The credentials of any Basic header (the scheme is case-insensitive, RFC 9110 §11.1; whitespace
 * around is optional), `undefined` for another scheme; malformed credentials are `invalid_client`.
 */
function basicCredentials(authorization: string): string | undefined {
  const match = /^basic(?:\s+(.*))?$/is.exec(authorization.trim())
  if (match === null) return undefined
  const encoded = match[1]?.trim() ?? ''
  if (encoded === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw malformedBasic()
  return encoded
}

function malformedBasic(): OAuth2Error {
  return new OAuth2Error('invalid_client', 'The Basic authorization header is malformed.', {
    headers: { 'www-authenticate': 'Basic' },
  })
}

/** `application/x-www-form-urlencoded` decoding of one value (RFC 6749 Appendix B). */
function formDecode(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value
  return decodeURIComponent(value.replace(/\+/g, ' '))
}
