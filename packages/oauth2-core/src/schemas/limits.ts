import { OAuth2Error } from '../errors/oauth2-error.js'

/**
 * Size limits on what a request may make the server read. Every endpoint applies them while it
 * parses the form (or, at the authorization endpoint, the query), before anything else runs, so an
 * oversized request costs a string scan and nothing more. Each exceeded limit is an
 * `invalid_request` naming the limit (RFC 6749 §5.2); the body size is answered with status 413.
 *
 * Set them with `setRequestLimits({ ... })` on any builder. The adapters cap the body in bytes
 * before the core sees it (`bodyLimit`, 64 KiB by default); these limits apply to every request
 * `handle()` receives, adapter or not.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 */
export interface RequestLimits {
  /**
   * The longest form body the core parses, in UTF-16 code units (characters of the decoded body).
   * Default 65536 (64 KiB). A longer body is answered 413 `invalid_request`.
   */
  maxBodyLength: number
  /**
   * The longest value of a protocol parameter the core reads (see {@link LIMITED_PARAMETERS}),
   * default 8192. A parameter the core does not read is ignored (RFC 6749 §3.1) and only counts
   * toward the body size. This is a ceiling: parameters with a tighter syntax limit of their own
   * (`state` 2048, `code` 4096, `code_verifier` 128, ...) keep it.
   */
  maxParameterLength: number
  /** The most scope tokens one `scope` parameter may hold (RFC 6749 §3.3), default 100. */
  maxScopeTokens: number
}

/** The limits a provider applies unless `setRequestLimits` changes them. */
export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  maxBodyLength: 64 * 1024,
  maxParameterLength: 8192,
  maxScopeTokens: 100,
})

/**
 * The parameters {@link RequestLimits.maxParameterLength} applies to: every protocol parameter an
 * endpoint of the core reads (RFC 6749, RFC 7523, RFC 7636, RFC 8628, OpenID Connect Core
 * §3.1.2.1). Two are left out on purpose: `token` (revocation, introspection) and `access_token`
 * (UserInfo), whose RFCs say how an unusable token is answered (RFC 7009 §2.2: 200; RFC 7662 §2.2:
 * `active: false`; RFC 6750 §3.1: `invalid_token`); the core answers a token over 8192 characters
 * that way without reading it. The interaction forms' own fields are bounded by their own checks.
 */
export const LIMITED_PARAMETERS: ReadonlySet<string> = new Set([
  'grant_type',
  'code',
  'redirect_uri',
  'code_verifier',
  'refresh_token',
  'scope',
  'device_code',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'token_type_hint',
  'response_type',
  'response_mode',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'request',
  'request_uri',
  'user_code',
])

/**
 * Fills and checks the limits a builder was given; throws a `TypeError` that says how to fix a
 * bad one (at `build()`, never per request).
 */
export function resolveRequestLimits(given: Partial<RequestLimits> | undefined): RequestLimits {
  const limits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, ...definedOnly(given ?? {}) }
  for (const name of ['maxBodyLength', 'maxParameterLength', 'maxScopeTokens'] as const) {
    const value = limits[name]
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new TypeError(`setRequestLimits: ${name} must be a positive whole number (got ${String(value)}).`)
    }
  }
  return limits
}

/** RFC 6749 §5.2 `invalid_request` with status 413, for a form body over `maxBodyLength`. */
export function checkBodyLength(body: string, limits: RequestLimits, description: string): void {
  if (body.length > limits.maxBodyLength) throw new OAuth2Error('invalid_request', description, { status: 413 })
}

/**
 * Checks one parameter against the limits: its length when the core reads it, and the number of
 * tokens of `scope`. Throws `invalid_request` naming the parameter and the limit.
 */
export function checkParameter(name: string, value: string, limits: RequestLimits): void {
  if (!LIMITED_PARAMETERS.has(name)) return
  if (value.length > limits.maxParameterLength) {
    throw new OAuth2Error('invalid_request', `The ${name} parameter is longer than ${limits.maxParameterLength} characters.`)
  }
  if (name === 'scope' && countScopeTokens(value) > limits.maxScopeTokens) {
    throw new OAuth2Error('invalid_request', `The scope parameter holds more than ${limits.maxScopeTokens} scope tokens.`)
  }
}

/** Space-separated tokens, counted without allocating them (the value may be long). */
function countScopeTokens(scope: string): number {
  let count = 0
  let inToken = false
  for (let i = 0; i < scope.length; i++) {
    const space = scope.charCodeAt(i) === 0x20
    if (!space && !inToken) count++
    inToken = !space
  }
  return count
}

function definedOnly(value: Partial<RequestLimits>): Partial<RequestLimits> {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('setRequestLimits(limits) needs an object such as { maxParameterLength: 4096 }.')
  }
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(DEFAULT_REQUEST_LIMITS, name)) {
      throw new TypeError(`setRequestLimits: unknown limit "${name}"; use maxBodyLength, maxParameterLength or maxScopeTokens.`)
    }
  }
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<RequestLimits>
}
