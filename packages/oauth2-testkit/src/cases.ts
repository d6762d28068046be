import { basicAuth, CONTRACT_CLIENT } from './provider.js'
import { CONTRACT_BASIC as BASIC, CONTRACT_GRANT as GRANT, FORM } from './requests.js'

/** One HTTP request of the contract, as bytes on the wire. */
export interface ContractRequest {
  method: string
  /** Path and query, relative to the server root (the issuer's path included). */
  path: string
  headers: Record<string, string>
  /** The raw body bytes, if any. */
  body?: Uint8Array<ArrayBuffer>
}

/** One contract case: a request and what the core answers to it. */
export interface ContractCase {
  name: string
  method: string
  /** Path and query relative to the issuer's path, or a function of the issuer's path for paths outside it. */
  path: string | ((basePath: string) => string)
  headers?: Record<string, string>
  body?: string | Uint8Array<ArrayBuffer>
  /** The status the core gives; pinned here so the list itself is checked against the core. */
  status: number
  /** The provider does not serve the path: an adapter must hand the request back to its framework. */
  passThrough?: boolean
}

/** The body limit every adapter applies by default (64 KiB), and the core's own form limit. */
export const DEFAULT_BODY_LIMIT = 64 * 1024

const TOKEN = '/oauth2/token'

/** A form body of exactly `size` bytes that is a valid client_credentials request. */
function paddedForm(size: number): string {
  const head = `${GRANT}&pad=`
  return head + 'a'.repeat(size - head.length)
}

const bytes = (...values: number[]) => Uint8Array.from(values)
const concat = (...parts: Uint8Array<ArrayBuffer>[]) => Uint8Array.from(parts.flatMap((p) => [...p]))
const utf8 = (text: string) => new TextEncoder().encode(text)

/**
 * The requests every adapter must answer exactly like the core: the token endpoint's success and
 * each of its errors, the JWKS, and paths the provider does not serve.
 */
export const contractCases: readonly ContractCase[] = [
  { name: 'client_credentials token request', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT, status: 200 },
  { name: 'token request without scope', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: 'grant_type=client_credentials', status: 200 },
  { name: 'token request with a query string', method: 'POST', path: `${TOKEN}?x=1`, headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT, status: 200 },
  { name: 'form content type with charset and odd case', method: 'POST', path: TOKEN, headers: { 'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8', authorization: BASIC }, body: GRANT, status: 200 },
  { name: 'GET on the token endpoint (405 + Allow)', method: 'GET', path: TOKEN, headers: { authorization: BASIC }, status: 405 },
  { name: 'PUT with a form body on the token endpoint', method: 'PUT', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT, status: 405 },
  { name: 'DELETE on the token endpoint', method: 'DELETE', path: TOKEN, headers: { authorization: BASIC }, status: 405 },
  { name: 'JSON content type', method: 'POST', path: TOKEN, headers: { 'content-type': 'application/json', authorization: BASIC }, body: '{"grant_type":"client_credentials"}', status: 400 },
  { name: 'invalid JSON under a JSON content type', method: 'POST', path: TOKEN, headers: { 'content-type': 'application/json', authorization: BASIC }, body: '{"grant_type":', status: 400 },
  { name: 'text/plain content type', method: 'POST', path: TOKEN, headers: { 'content-type': 'text/plain', authorization: BASIC }, body: GRANT, status: 400 },
  { name: 'multipart content type', method: 'POST', path: TOKEN, headers: { 'content-type': 'multipart/form-data; boundary=x', authorization: BASIC }, body: '--x--', status: 400 },
  { name: 'no content type', method: 'POST', path: TOKEN, headers: { authorization: BASIC }, body: GRANT, status: 400 },
  { name: 'duplicate grant_type', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: `${GRANT}&grant_type=client_credentials`, status: 400 },
  { name: 'duplicate scope', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: `${GRANT}&scope=write`, status: 400 },
  { name: 'malformed Basic header (401 + WWW-Authenticate)', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: 'Basic !!!not-base64' }, body: GRANT, status: 401 },
  { name: 'wrong client secret', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: basicAuth(CONTRACT_CLIENT.id, 'wrong') }, body: GRANT, status: 401 },
  { name: 'no client authentication', method: 'POST', path: TOKEN, headers: { 'content-type': FORM }, body: GRANT, status: 401 },
  { name: 'unknown grant_type', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: 'grant_type=urn%3Aexample%3Aunknown', status: 400 },
  { name: 'unknown scope', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: 'grant_type=client_credentials&scope=admin', status: 400 },
  { name: 'empty body', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: '', status: 400 },
  { name: 'body of exactly the limit', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: paddedForm(DEFAULT_BODY_LIMIT), status: 200 },
  { name: 'body one byte over the limit (413)', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: paddedForm(DEFAULT_BODY_LIMIT + 1), status: 413 },
  { name: 'body far over the limit (413)', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: paddedForm(4 * DEFAULT_BODY_LIMIT), status: 413 },
  { name: 'invalid UTF-8 bytes in an ignored parameter', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: concat(utf8(`${GRANT}&x=`), bytes(0xff, 0xfe, 0xc3)), status: 200 },
  { name: 'invalid UTF-8 bytes in grant_type', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: concat(utf8('grant_type='), bytes(0xc3, 0x28, 0xa0, 0xa1)), status: 400 },
  { name: 'percent-encoded invalid UTF-8 in scope', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: 'grant_type=client_credentials&scope=%FF%FE', status: 400 },
  { name: 'NUL and control bytes', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: bytes(0x00, 0x01, 0x0a, 0x3d, 0x26, 0x7f), status: 400 },
  { name: 'a UTF-8 byte order mark before the form', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: concat(bytes(0xef, 0xbb, 0xbf), utf8(GRANT)), status: 200 },
  { name: 'multi-byte characters in an ignored parameter', method: 'POST', path: TOKEN, headers: { 'content-type': FORM, authorization: BASIC }, body: `${GRANT}&note=${encodeURIComponent('日本語 ✓')}&raw=日本語`, status: 200 },
  { name: 'malformed content type header', method: 'POST', path: TOKEN, headers: { 'content-type': 'text', authorization: BASIC }, body: GRANT, status: 400 },
  { name: 'two content types in one header', method: 'POST', path: TOKEN, headers: { 'content-type': `${FORM}, text/plain`, authorization: BASIC }, body: GRANT, status: 400 },
  { name: 'JWKS GET', method: 'GET', path: '/oauth2/keys', status: 200 },
  { name: 'JWKS GET with a query string', method: 'GET', path: '/oauth2/keys?v=2', status: 200 },
  { name: 'POST on the JWKS (405 + Allow)', method: 'POST', path: '/oauth2/keys', headers: { 'content-type': FORM }, body: 'a=b', status: 405 },
  { name: 'RFC 8414 metadata GET (well-known path before the issuer path)', method: 'GET', path: (base) => `/.well-known/oauth-authorization-server${base}`, status: 200 },
  { name: 'unknown path', method: 'GET', path: '/not-oauth', status: 404, passThrough: true },
  { name: 'unknown path next to the endpoints', method: 'POST', path: '/oauth2/unknown', headers: { 'content-type': FORM }, body: GRANT, status: 404, passThrough: true },
  { name: 'the token path with a trailing slash', method: 'POST', path: `${TOKEN}/`, headers: { 'content-type': FORM, authorization: BASIC }, body: GRANT, status: 404, passThrough: true },
]

/** The wire request of a case for a provider whose issuer has the path `basePath`. */
export function toContractRequest(testCase: ContractCase, basePath = ''): ContractRequest {
  const body = typeof testCase.body === 'string' ? utf8(testCase.body) : testCase.body
  return {
    method: testCase.method,
    path: typeof testCase.path === 'function' ? testCase.path(basePath) : `${basePath}${testCase.path}`,
    headers: { ...testCase.headers },
    ...(body !== undefined ? { body } : {}),
  }
}
