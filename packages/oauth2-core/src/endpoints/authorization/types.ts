import type { ClientMetadata } from '../../client-auth/client-metadata.js'
import type { CodeChallengeMethod } from '../../internal/pkce.js'
import type { InteractionSettings, PageRenderResult, SignedInUser } from '../../interaction/types.js'
import type { OAuth2Request, OAuth2Result } from '../../types.js'

/** The response modes the authorization endpoint supports. */
export type ResponseMode = 'query' | 'form_post'

/**
 * A validated authorization request, as the callbacks of `authorizationRoute` receive it (kaapi's
 * `OAuth2ACAuthorizationParams`, plus the OpenID Connect parameters it did not parse).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest
 */
export interface OAuth2ACAuthorizationParams {
  clientId: string
  responseType: 'code'
  /** The redirect URI the response goes to: the request's, or the client's only registered one. */
  redirectUri: string
  /** The requested `scope`, as sent. */
  scope?: string
  /** The requested scope tokens. */
  scopes: string[]
  state?: string
  /** PKCE (RFC 7636 §4.3). */
  codeChallenge?: string
  codeChallengeMethod?: CodeChallengeMethod
  /** OIDC: echoed in the ID token. */
  nonce?: string
  /** OIDC `prompt` values. */
  prompt?: string[]
  /** OIDC `max_age`, seconds. */
  maxAge?: number
  /** OIDC `login_hint`. */
  loginHint?: string
  /**
   * OIDC `id_token_hint`: the `sub` of the verified ID token. A session of another user does not
   * count as signed in (`prompt=none` gets `login_required`; otherwise the sign-in page is shown).
   */
  idTokenHintSubject?: string
  responseMode: ResponseMode
  /** The registered client, when a client lookup is configured. */
  client?: ClientMetadata
  /** When `generateCode` runs after the built-in sign-in and consent: the user. */
  user?: SignedInUser
  /** When `generateCode` runs after the built-in sign-in and consent: the granted scopes. */
  grantedScopes?: string[]
}

/**
 * What `generateCode` returns (kaapi's `AuthCodeResult`): a code to send back, `continue` to show
 * the sign-in page again (with `value` in the renderer context), or `deny` (`access_denied`).
 * `null` means "not authenticated": the sign-in page again, 401, `access_denied`.
 */
export type AuthCodeResult = { type: 'code'; value: string } | { type: 'continue'; value?: unknown } | { type: 'deny'; value?: unknown }

/** Issues authorization codes yourself (kaapi's `generateCode`). */
export type GenerateCode = (
  params: OAuth2ACAuthorizationParams,
  request: OAuth2Request,
) => Promise<AuthCodeResult | null | undefined> | AuthCodeResult | null | undefined

/** What `finalizeAuthorization` receives (kaapi's context, plus the response parameters). */
export interface FinalizeAuthorizationContext {
  /** What is being sent: a code, a denial, or another error. */
  authorizationResult: { type: 'code'; value: string } | { type: 'deny'; value?: unknown } | { type: 'error'; error: string; errorDescription?: string }
  usernameField: string
  passwordField: string
  /** The redirect URI with the response parameters in its query (what the default redirects to in `query` mode). */
  fullRedirectUri: string
  responseMode: ResponseMode
  /** The response parameters: `code` or `error` / `error_description`, `state`, `iss`. */
  responseParams: Readonly<Record<string, string>>
}

/**
 * Sends the response to the client yourself (kaapi's `finalizeAuthorization`): return a result, or
 * `null` / `undefined` for the default (a 303/302 redirect, or the form_post page).
 */
export type FinalizeAuthorization = (
  context: FinalizeAuthorizationContext,
  params: OAuth2ACAuthorizationParams,
  request: OAuth2Request,
) => Promise<OAuth2Result | null | undefined> | OAuth2Result | null | undefined

/** What the error page renderer receives: an error that cannot be sent to the client. */
export interface ErrorPageContext {
  statusCode: number
  error: string
  errorMessage?: string
  cspNonce: string
}

/** Renders the error page shown when the client cannot be redirected to (unknown client, bad redirect URI). */
export type ErrorPageRenderer = (context: ErrorPageContext, request: OAuth2Request) => Promise<PageRenderResult> | PageRenderResult

/** PKCE policy (RFC 7636, RFC 9700 §2.1.1). */
export interface PkceSettings {
  /** Require a code_challenge from confidential clients too (public clients always need one). Default true. */
  requiredForConfidentialClients: boolean
  /** Accept `code_challenge_method=plain`. Default false: S256 only (RFC 9700 §2.1.1). */
  allowPlain: boolean
}

/** Everything the authorization endpoint needs, as the builder collects it. */
export interface AuthorizationEndpointSettings {
  /** Path relative to the issuer's path. */
  path: string
  /** kaapi's `setClientId`: the only client accepted. */
  clientId: string | undefined
  /** kaapi's `setRedirectUri`: the redirect URI of a client without a client lookup. */
  redirectUri: string | undefined
  interaction: InteractionSettings<OAuth2ACAuthorizationParams>
  generateCode: GenerateCode | undefined
  finalizeAuthorization: FinalizeAuthorization | undefined
  renderErrorPage: ErrorPageRenderer | undefined
  /** Authorization code lifetime, seconds. */
  codeTtl: number
  pkce: PkceSettings
}
