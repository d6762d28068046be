import { html, rawHtml, type OAuth2Result, type SafeHtml } from '@x/oauth2-core'
import { curlAuth, shellQuote, type Walkthrough } from './walkthrough.js'

/** The demo's own pages: plain HTML, no script, nothing loaded from elsewhere. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f5f7;padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}'

function page(title: string, body: SafeHtml): OAuth2Result {
  const document = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${rawHtml(STYLE)}</style></head>
<body>${body}</body></html>
`
  return { status: 200, headers: { ...PAGE_HEADERS }, body: document.toString() }
}

/** `GET /`: what the demo serves, and a link that starts the authorization code flow. */
export function homePage(walkthrough: Walkthrough, framework: string): OAuth2Result {
  const { issuer, authorizationUrl, codeClient } = walkthrough
  const root = issuer.replace(/\/$/, '')
  return page(
    '@x/oauth2 demo',
    html`<h1>@x/oauth2 demo authorization server</h1>
<p>Issuer <code>${issuer}</code>, running on ${framework}.</p>
${authorizationUrl !== undefined && codeClient !== undefined ? html`<p><a href="${authorizationUrl}">Sign in with ${codeClient.client_id}</a> (authorization code + PKCE + OpenID Connect)</p>` : ''}
<ul>
<li><a href="${root}/.well-known/openid-configuration">OpenID configuration</a></li>
<li><a href="${root}/.well-known/oauth-authorization-server">RFC 8414 metadata</a></li>
<li><a href="${root}/oauth2/keys">JWKS</a></li>
<li><a href="${root}/oauth2/device">Device verification page</a></li>
</ul>`,
  )
}

/**
 * `GET /callback`: the redirect URI of the demo clients. It plays the client's part for a person
 * with a browser: it shows the authorization response (RFC 6749 §4.1.2) and the `curl` command
 * that exchanges the code.
 */
export function callbackPage(walkthrough: Walkthrough, query: URLSearchParams): OAuth2Result {
  const error = query.get('error')
  if (error !== null) {
    return page(
      'Authorization failed',
      html`<h1>The authorization server answered an error</h1>
<p><code>${error}</code>: ${query.get('error_description') ?? ''}</p>`,
    )
  }
  const code = query.get('code')
  if (code === null) return page('Callback', html`<h1>Callback</h1><p>No authorization response in this URL.</p>`)
  const { issuer, codeClient, redirectUri, state, codeVerifier } = walkthrough
  const ours = query.get('state') === state && codeClient !== undefined && redirectUri !== undefined
  const auth = codeClient !== undefined ? curlAuth(codeClient) : undefined
  const command =
    ours && auth !== undefined
      ? [
          `curl ${auth} \\`,
          `  -d grant_type=authorization_code -d code=${shellQuote(code)} \\`,
          `  -d redirect_uri=${shellQuote(redirectUri)} -d code_verifier=${codeVerifier} \\`,
          `  ${issuer.replace(/\/$/, '')}/oauth2/token`,
        ].join('\n')
      : undefined
  return page(
    'Authorization code',
    html`<h1>Authorization code received</h1>
<p>code: <code>${code}</code><br>state: <code>${query.get('state') ?? ''}</code><br>iss: <code>${query.get('iss') ?? ''}</code></p>
<p>The code is valid for 60 seconds, once.</p>
${command !== undefined ? html`<p>Exchange it (the PKCE verifier is the one of the printed authorization URL):</p><pre>${command}</pre>` : html`<p>Exchange it at <code>${issuer.replace(/\/$/, '')}/oauth2/token</code> with your client's credentials and PKCE verifier.</p>`}`,
  )
}
