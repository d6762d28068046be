/**
 * The registered OAuth 2.0 / OpenID Connect error codes, as a value you can write
 * `OAuth2ErrorCode.INVALID_GRANT` with (as in kaapi) and as the union of their wire strings.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.2
 * @see https://www.iana.org/assignments/oauth-parameters/oauth-parameters.xhtml#extensions-error
 */
export const OAuth2ErrorCode = {
  // RFC 6749 §4.1.2.1, §5.2
  INVALID_REQUEST: 'invalid_request',
  INVALID_CLIENT: 'invalid_client',
  INVALID_GRANT: 'invalid_grant',
  UNAUTHORIZED_CLIENT: 'unauthorized_client',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  INVALID_SCOPE: 'invalid_scope',
  ACCESS_DENIED: 'access_denied',
  UNSUPPORTED_RESPONSE_TYPE: 'unsupported_response_type',
  SERVER_ERROR: 'server_error',
  TEMPORARILY_UNAVAILABLE: 'temporarily_unavailable',
  // RFC 6750 §3.1
  INVALID_TOKEN: 'invalid_token',
  INSUFFICIENT_SCOPE: 'insufficient_scope',
  // RFC 8628 §3.5
  AUTHORIZATION_PENDING: 'authorization_pending',
  SLOW_DOWN: 'slow_down',
  EXPIRED_TOKEN: 'expired_token',
  // RFC 7009 §2.2.1
  UNSUPPORTED_TOKEN_TYPE: 'unsupported_token_type',
  // RFC 8707 §2
  INVALID_TARGET: 'invalid_target',
  // OpenID Connect Core §3.1.2.6
  INTERACTION_REQUIRED: 'interaction_required',
  LOGIN_REQUIRED: 'login_required',
  ACCOUNT_SELECTION_REQUIRED: 'account_selection_required',
  CONSENT_REQUIRED: 'consent_required',
  INVALID_REQUEST_URI: 'invalid_request_uri',
  INVALID_REQUEST_OBJECT: 'invalid_request_object',
  REQUEST_NOT_SUPPORTED: 'request_not_supported',
  REQUEST_URI_NOT_SUPPORTED: 'request_uri_not_supported',
  REGISTRATION_NOT_SUPPORTED: 'registration_not_supported',
  // RFC 9449 §12.2
  INVALID_DPOP_PROOF: 'invalid_dpop_proof',
  USE_DPOP_NONCE: 'use_dpop_nonce',
} as const

/** One registered error code, spelled as on the wire. */
export type OAuth2ErrorCode = (typeof OAuth2ErrorCode)[keyof typeof OAuth2ErrorCode]

/**
 * The device flow's token-endpoint error codes (kaapi's `DeviceFlowOAuth2ErrorCode`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export const DeviceFlowOAuth2ErrorCode = {
  AUTHORIZATION_PENDING: OAuth2ErrorCode.AUTHORIZATION_PENDING,
  SLOW_DOWN: OAuth2ErrorCode.SLOW_DOWN,
  ACCESS_DENIED: OAuth2ErrorCode.ACCESS_DENIED,
  EXPIRED_TOKEN: OAuth2ErrorCode.EXPIRED_TOKEN,
  INVALID_GRANT: OAuth2ErrorCode.INVALID_GRANT,
  INVALID_CLIENT: OAuth2ErrorCode.INVALID_CLIENT,
} as const

/** One device-flow token error code. */
export type DeviceFlowOAuth2ErrorCode = (typeof DeviceFlowOAuth2ErrorCode)[keyof typeof DeviceFlowOAuth2ErrorCode]

const registered: ReadonlySet<string> = new Set(Object.values(OAuth2ErrorCode))

/** Whether `code` is one of the registered codes above. */
export function isRegisteredErrorCode(code: string): code is OAuth2ErrorCode {
  return registered.has(code)
}

/**
 * The HTTP status an error code is sent with.
 *
 * RFC 6749 §5.2: 400 unless specified otherwise; `invalid_client` is a 401 (the caller adds the
 * `WWW-Authenticate` challenge). RFC 6750 §3.1: `invalid_token` 401, `insufficient_scope` 403.
 */
export function statusOf(code: string): number {
  switch (code) {
    case OAuth2ErrorCode.INVALID_CLIENT:
    case OAuth2ErrorCode.INVALID_TOKEN:
      return 401
    case OAuth2ErrorCode.INSUFFICIENT_SCOPE:
      return 403
    case OAuth2ErrorCode.SERVER_ERROR:
      return 500
    case OAuth2ErrorCode.TEMPORARILY_UNAVAILABLE:
      return 503
    default:
      return 400
  }
}
