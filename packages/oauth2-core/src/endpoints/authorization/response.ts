import { NO_STORE_HEADERS } from '../../errors/to-result.js'
import { defaultErrorPage, defaultFormPostPage } from '../../interaction/default-pages.js'
import { formActionSource, htmlPage, renderPage, withPageSecurity } from '../../interaction/page.js'
import { checkCallbackResult } from '../../internal/callback-result.js'
import { randomToken } from '../../internal/random.js'
import type { OAuth2Result } from '../../types.js'
import type { EndpointRequest } from '../endpoint.js'
import { appendQuery } from './redirect-uri.js'
import type { RedirectTarget } from './request.js'
import type { AuthorizationEndpointSettings, FinalizeAuthorizationContext, OAuth2ACAuthorizationParams } from './types.js'

/**
 * What `finalizeAuthorization` threw (`cause`), or its result HTTP could not send: the endpoint then
 * answers with the plain redirect, without calling it again for that answer.
 */
export class FinalizeAuthorizationFailed extends Error {
  constructor(cause: unknown) {
    super('finalizeAuthorization failed', { cause })
  }
}

/** What is sent back to the client. */
export type AuthorizationResult = FinalizeAuthorizationContext['authorizationResult']

/**
 * Sends an authorization response (RFC 6749 §4.1.2) or error (§4.1.2.1) to the client's redirect
 * URI, with `state` when the request had one and `iss` (RFC 9207 §2) always; in `query` mode as a
 * redirect (303 after a POST, so the browser follows with a GET, RFC 9700 §4.12), in `form_post`
 * mode as an auto-submitting form (OAuth 2.0 Form Post Response Mode §2). `finalizeAuthorization`
 * may send it its own way.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2
 * @see https://www.rfc-editor.org/rfc/rfc9207#section-2
 */
export async function respondToClient(
  req: EndpointRequest,
  target: RedirectTarget,
  result: AuthorizationResult,
  issuer: string,
  settings: AuthorizationEndpointSettings,
  params: OAuth2ACAuthorizationParams | undefined,
): Promise<OAuth2Result> {
  const responseParams: Record<string, string> = {}
  if (result.type === 'code') responseParams['code'] = result.value
  else if (result.type === 'deny') {
    responseParams['error'] = 'access_denied'
    responseParams['error_description'] = 'The user denied the request.'
  } else {
    responseParams['error'] = result.error
    if (result.errorDescription !== undefined) responseParams['error_description'] = cleanDescription(result.errorDescription)
  }
  if (target.state !== undefined) responseParams['state'] = target.state
  responseParams['iss'] = issuer
  const fullRedirectUri = appendQuery(target.redirectUri, responseParams)

  if (settings.finalizeAuthorization !== undefined && params !== undefined) {
    const context: FinalizeAuthorizationContext = {
      authorizationResult: result,
      usernameField: settings.interaction.usernameField,
      passwordField: settings.interaction.passwordField,
      fullRedirectUri,
      responseMode: target.responseMode,
      responseParams,
    }
    let checked: OAuth2Result | undefined
    try {
      const custom = await settings.finalizeAuthorization(context, params, req.request)
      // Checked before the HTTP layer sees it: a status or header it refuses becomes the server_error redirect.
      if (custom !== null && custom !== undefined) checked = checkCallbackResult(custom, 'finalizeAuthorization')
    } catch (error) {
      throw new FinalizeAuthorizationFailed(error)
    }
    // The response carries a code: it must never be cached (RFC 6749 §10.5 keeps codes short-lived
    // and private), and a page of it never framed (RFC 9700 §4.16).
    if (checked !== undefined) return { ...checked, headers: withPageSecurity(checked.headers) }
  }

  if (target.responseMode === 'form_post') {
    const nonce = randomToken(16)
    const source = formActionSource(target.redirectUri)
    return htmlPage(defaultFormPostPage({ action: target.redirectUri, fields: responseParams, cspNonce: nonce }), {
      status: 200,
      nonce,
      ...(source !== undefined ? { formActionSources: [source] } : {}),
    })
  }
  return {
    status: req.method === 'POST' ? 303 : 302,
    headers: { location: fullRedirectUri, ...NO_STORE_HEADERS, 'referrer-policy': 'no-referrer' },
    body: '',
  }
}

/**
 * The error page for errors that must not be redirected (RFC 6749 §4.1.2.1: "the authorization
 * server SHOULD inform the resource owner of the error and MUST NOT automatically redirect").
 */
export async function errorPage(req: EndpointRequest, status: number, error: string, description: string, settings: AuthorizationEndpointSettings): Promise<OAuth2Result> {
  const nonce = randomToken(16)
  const context = { statusCode: status, error, errorMessage: description, cspNonce: nonce }
  const rendered = settings.renderErrorPage !== undefined ? await settings.renderErrorPage(context, req.request) : defaultErrorPage(context)
  return renderPage(rendered, { status, nonce })
}

/** RFC 6749 §4.1.2.1: error_description is limited to %x20-21 / %x23-5B / %x5D-7E. */
function cleanDescription(text: string): string {
  return text.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, ' ').slice(0, 500)
}
