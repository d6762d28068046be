import { html, rawHtml, type SafeHtml } from './html.js'
import type { ConsentPageContext, InteractionClient, LoginPageContext } from './types.js'

const STYLE = `
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1c1e21}
main{max-width:26rem;margin:8vh auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 1rem}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c4c8cf;border-radius:4px;font:inherit}
button{margin-top:1.25rem;padding:.6rem 1.2rem;border:0;border-radius:4px;font:inherit;cursor:pointer;background:#1a5fd0;color:#fff}
button.secondary{background:#e4e6eb;color:#1c1e21;margin-left:.5rem}
.error{background:#fdecea;color:#8a1c12;padding:.6rem .8rem;border-radius:4px}
ul{padding-left:1.2rem}
code{font-size:.9em}
`

/** The HTML document around a page body: language, viewport, the nonce'd style. */
export function layout(title: string, nonce: string, body: SafeHtml): SafeHtml {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`
}

function clientLabel(client: InteractionClient): string {
  return client.clientName ?? client.clientId
}

function errorBlock(message: string | undefined): SafeHtml | undefined {
  return message === undefined ? undefined : html`<p class="error" role="alert">${message}</p>`
}

/** The built-in sign-in form: username and password, the hidden request fields, the CSRF token. */
export function defaultLoginPage(ctx: LoginPageContext): string {
  return layout(
    'Sign in',
    ctx.cspNonce,
    html`<h1>Sign in</h1>
<p>to continue to <strong>${clientLabel(ctx.client)}</strong></p>
${errorBlock(ctx.errorMessage)}
<form method="post" action="${ctx.formAction}">
${rawHtml(ctx.hiddenFields)}
<label for="username">Username</label>
<input type="text" id="username" name="${ctx.usernameField}" value="${ctx.loginHint ?? ''}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="${ctx.passwordField}" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  ).toString()
}

/** The built-in consent page: who asks for what, Allow / Deny. */
export function defaultConsentPage(ctx: ConsentPageContext): string {
  const items = ctx.scopes.map((scope) => {
    // Own properties only: a scope named `toString` or `constructor` has no inherited description.
    const description = Object.hasOwn(ctx.scopeDescriptions, scope) ? ctx.scopeDescriptions[scope] : undefined
    return description !== undefined && description !== '' ? html`<li>${description} (<code>${scope}</code>)</li>` : html`<li><code>${scope}</code></li>`
  })
  return layout(
    'Authorize access',
    ctx.cspNonce,
    html`<h1>Authorize ${clientLabel(ctx.client)}</h1>
${errorBlock(ctx.errorMessage)}
<p>Signed in as <strong>${ctx.user.sub}</strong>.</p>
${
  items.length > 0
    ? html`<p><strong>${clientLabel(ctx.client)}</strong> asks for:</p><ul>${items}</ul>`
    : html`<p><strong>${clientLabel(ctx.client)}</strong> asks to know who you are.</p>`
}
<form method="post" action="${ctx.formAction}">
${rawHtml(ctx.hiddenFields)}
<button type="submit" name="${ctx.decisionField}" value="allow">Allow</button>
<button type="submit" class="secondary" name="${ctx.decisionField}" value="deny">Deny</button>
</form>`,
  ).toString()
}

/**
 * The error page shown where the client cannot be redirected to (unknown client, unregistered
 * redirect URI: RFC 6749 §4.1.2.1 "MUST NOT automatically redirect").
 */
export function defaultErrorPage(ctx: { error: string; errorMessage?: string; cspNonce: string }): string {
  return layout(
    'Authorization error',
    ctx.cspNonce,
    html`<h1>This request cannot be completed</h1>
${errorBlock(ctx.errorMessage)}
<p>Error: <code>${ctx.error}</code></p>
<p>Return to the application and try again. If the problem persists, contact its developer.</p>`,
  ).toString()
}

/**
 * The OAuth 2.0 Form Post Response Mode page: an auto-submitting form that POSTs the response
 * parameters to the redirect URI; a button when scripts are off.
 *
 * @see https://openid.net/specs/oauth-v2-form-post-response-mode-1_0.html#FormPostResponseMode
 */
export function defaultFormPostPage(ctx: { action: string; fields: Readonly<Record<string, string>>; cspNonce: string }): string {
  const inputs = Object.entries(ctx.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)
  return layout(
    'Submitting',
    ctx.cspNonce,
    html`<form method="post" action="${ctx.action}">
${inputs}
<noscript><p>Scripts are disabled: continue manually.</p><button type="submit">Continue</button></noscript>
</form>
<script nonce="${ctx.cspNonce}">document.forms[0].submit()</script>`,
  ).toString()
}
