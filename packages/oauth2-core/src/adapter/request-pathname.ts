import { plainPathname } from '../internal/plain-path.js'

/**
 * The pathname the provider routes `url` by: the URL resolved against the issuer, exactly as
 * `provider.handle()` resolves it, so an adapter and the core agree on whether a request is the
 * provider's (`provider.hasRoute(requestPathname(url, provider.issuer))`). `''` (no route) for a
 * URL that cannot be parsed; the core answers such a request `invalid_request` itself.
 *
 * A plain origin-form target (`/oauth2/token?x=1`, what Node servers hand over) is its own pathname
 * up to its query or fragment, without building a `URL`; anything else goes through the URL parser.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
 */
export function requestPathname(url: string, issuer: string): string {
  const plain = plainPathname(url)
  if (plain !== undefined) return plain
  try {
    return new URL(url, issuer).pathname
  } catch {
    return ''
  }
}
