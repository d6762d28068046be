import { checkCallbackResult } from '../internal/callback-result.js'
import type { OAuth2Result } from '../types.js'
import { rawHtml, SafeHtml } from './html.js'
import type { PageRenderResult } from './types.js'

/**
 * Headers every interaction page carries, whoever rendered it: never framed (RFC 9700 §4.16,
 * clickjacking), never cached (the page holds a CSRF token and the request), never leaking the
 * request's URL through `Referer` (RFC 9700 §4.2.4), never sniffed as another type.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.16
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
})

/** Options of {@link htmlPage} and {@link renderPage}. */
export interface HtmlPageOptions {
  status: number
  /** The CSP nonce the page's inline `<style>` / `<script>` carry. */
  nonce: string
  /**
   * Where forms may submit to, besides the page's own origin (CSP `form-action`, which browsers also
   * apply to the redirect that follows the POST): the client's redirect URI, for instance.
   */
  formActionSources?: readonly string[]
  /** A `Set-Cookie` value (the CSRF cookie). */
  setCookie?: string
}

/**
 * Wraps a complete HTML document in a result with the page security headers and a
 * Content-Security-Policy that allows nothing but the nonce's inline style and script, same-origin
 * images, styles and fonts, and forms to `'self'` plus `formActionSources`; never framed.
 */
export function htmlPage(document: SafeHtml | string, options: HtmlPageOptions): OAuth2Result {
  return {
    status: options.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy(options),
      ...PAGE_SECURITY_HEADERS,
      ...(options.setCookie !== undefined ? { 'set-cookie': options.setCookie } : {}),
    },
    body: document.toString(),
  }
}

/**
 * Turns what a renderer returned into the result to send: an HTML string gets {@link htmlPage}; a
 * full result is checked (`checkCallbackResult`: a status from 200 to 599, RFC 9110 header names and
 * values, else a `TypeError`) and keeps its own headers, but always gets `X-Frame-Options: DENY`,
 * `Cache-Control: no-store`, the CSRF cookie, and `frame-ancestors 'none'` added to its CSP (or the
 * core's CSP when it has none).
 */
export function renderPage(rendered: PageRenderResult, options: HtmlPageOptions): OAuth2Result {
  if (typeof rendered === 'string') return htmlPage(rawHtml(rendered), options)
  // A status or header the HTTP layer refuses would throw in the adapter, which sends the exception's
  // text: refused here instead, it becomes the generic server_error and goes to onError.
  const { status, headers: theirs, body } = checkCallbackResult(rendered, 'A page renderer')
  const policy = theirs['content-security-policy']
  // RFC 9700 §4.16: a renderer's own policy keeps everything but a frame-ancestors that would allow framing.
  const csp = policy === undefined ? contentSecurityPolicy(options) : forbidFraming(policy)
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...PAGE_SECURITY_HEADERS,
      ...theirs,
      'content-security-policy': csp,
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      ...(options.setCookie !== undefined ? { 'set-cookie': options.setCookie } : {}),
    },
    body,
  }
}

/**
 * A Content-Security-Policy with its `frame-ancestors` directive replaced by `frame-ancestors 'none'`
 * (RFC 9700 §4.16: no page of the authorization server may be framed). Browsers ignore
 * `X-Frame-Options` when the policy has `frame-ancestors`, so the policy itself must forbid it.
 */
export function forbidFraming(policy: string): string {
  const directives = policy
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && !/^frame-ancestors(\s|$)/i.test(d))
  return [...directives, "frame-ancestors 'none'"].join('; ')
}

/**
 * The headers of a response the user's code built (`finalizeAuthorization`), with the page
 * security headers forced: never framed (RFC 9700 §4.16), never cached (it may carry a code).
 * Header names are lower-cased so none can shadow the forced ones.
 */
export function withPageSecurity(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') out[name.toLowerCase()] = value
  const policy = out['content-security-policy']
  out['content-security-policy'] = policy === undefined ? "frame-ancestors 'none'" : forbidFraming(policy)
  out['x-frame-options'] = 'DENY'
  out['cache-control'] = 'no-store'
  return out
}

/** A CSP source for a URL a form may be sent to: its origin, or its scheme for a private-use scheme. */
export function formActionSource(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  // A native app's private-use scheme (RFC 8252 §7.1) has no origin: allow the scheme.
  const source = parsed.origin !== 'null' ? parsed.origin : parsed.protocol
  // Only characters a CSP source expression can hold: nothing can break out of the directive.
  return /^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[A-Za-z0-9.:[\]-]+)?$/.test(source) ? source : undefined
}

function contentSecurityPolicy(options: HtmlPageOptions): string {
  const nonce = `'nonce-${options.nonce}'`
  const sources = (options.formActionSources ?? []).filter((s) => /^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[A-Za-z0-9.:[\]-]+)?$/.test(s))
  return [
    "default-src 'none'",
    `style-src 'self' ${nonce}`,
    `script-src ${nonce}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `form-action 'self'${sources.map((s) => ` ${s}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
}
