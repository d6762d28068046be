import * as v from 'valibot'
import { scopeParam, VSCHAR_PATTERN } from './common.js'

/** RFC 7636 §4.2: code_challenge = 43*128 unreserved characters. */
const CODE_CHALLENGE_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/

function optionalVschar(name: string, max: number) {
  return v.optional(
    v.pipe(
      v.string(),
      v.maxLength(max, `The ${name} parameter is too long.`),
      v.regex(VSCHAR_PATTERN, `The ${name} parameter contains characters that are not allowed.`),
    ),
  )
}

/**
 * The parameters of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OpenID Connect Core
 * §3.1.2.1), checked for syntax only; what they mean (a supported `response_type`, a registered
 * `redirect_uri`, a declared scope) is checked by the endpoint. Unknown parameters are dropped
 * (RFC 6749 §3.1: "MUST ignore unrecognized request parameters").
 *
 * `client_id` and `redirect_uri` are parsed first, on their own: until both are known good, no
 * error may be redirected (RFC 6749 §4.1.2.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export const authorizationRequestSchema = v.object({
  response_type: v.optional(v.pipe(v.string(), v.maxLength(100, 'The response_type parameter is too long.'))),
  scope: scopeParam,
  // RFC 7636 §4.3; the method defaults to plain when absent (§4.3), which the endpoint may refuse.
  code_challenge: v.optional(
    v.pipe(v.string(), v.regex(CODE_CHALLENGE_PATTERN, 'The code_challenge must be 43 to 128 characters of [A-Z] [a-z] [0-9] - . _ ~ (RFC 7636 §4.2).')),
  ),
  code_challenge_method: optionalVschar('code_challenge_method', 20),
  // OIDC Core §3.1.2.1
  nonce: optionalVschar('nonce', 1024),
  prompt: v.optional(
    v.pipe(v.string(), v.maxLength(200, 'The prompt parameter is too long.'), v.regex(/^[a-z_]+( [a-z_]+)*$/, 'The prompt parameter is malformed.')),
  ),
  max_age: v.optional(v.pipe(v.string(), v.regex(/^\d{1,10}$/, 'The max_age parameter must be a non-negative whole number of seconds.'))),
  login_hint: v.optional(
    v.pipe(v.string(), v.maxLength(512, 'The login_hint parameter is too long.'), v.regex(/^[^\x00-\x1F\x7F]+$/, 'The login_hint parameter contains control characters.')),
  ),
  // OAuth 2.0 Multiple Response Type Encoding Practices §2.1, Form Post Response Mode §2
  response_mode: optionalVschar('response_mode', 50),
  // OIDC Core §6: passing the request as a JWT; refused with request_not_supported / request_uri_not_supported.
  request: v.optional(v.string()),
  request_uri: v.optional(v.string()),
})

/** The syntactically valid parameters of an authorization request. */
export type AuthorizationRequestParams = v.InferOutput<typeof authorizationRequestSchema>

/** `client_id` (RFC 6749 Appendix A.1: VSCHAR). */
export const clientIdSchema = v.pipe(
  v.string('Missing required parameter: client_id.'),
  v.maxLength(1024, 'The client_id parameter is too long.'),
  v.regex(VSCHAR_PATTERN, 'The client_id parameter contains characters that are not allowed.'),
)

/** `redirect_uri` (RFC 6749 §3.1.2: an absolute URI without a fragment). */
export const redirectUriSchema = v.pipe(
  v.string(),
  v.maxLength(2048, 'The redirect_uri parameter is too long.'),
  v.regex(VSCHAR_PATTERN, 'The redirect_uri parameter is malformed.'),
  v.check((uri) => {
    try {
      return new URL(uri).hash === '' && !uri.includes('#')
    } catch {
      return false
    }
  }, 'The redirect_uri must be an absolute URI without a fragment (RFC 6749 §3.1.2).'),
)

/** `state` (RFC 6749 Appendix A.5: VSCHAR). Parsed before anything is redirected, so only a valid one is echoed. */
export const stateSchema = v.pipe(
  v.string(),
  v.maxLength(2048, 'The state parameter is too long.'),
  v.regex(VSCHAR_PATTERN, 'The state parameter contains characters that are not allowed.'),
)
