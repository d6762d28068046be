/**
 * The pathname the provider routes `url` by: the URL resolved against the issuer, exactly as
 * `provider.handle()` resolves it, so an adapter and the core agree on whether a request is the
 * provider's (`provider.hasRoute(requestPathname(url, provider.issuer))`). `''` (no route) for a
 * URL that cannot be parsed; the core answers such a request `invalid_request` itself.
 */
export function requestPathname(url: string, issuer: string): string {
  try {
    return new URL(url, issuer).pathname
  } catch {
    return ''
  }
}
