/**
 * Whether a requested redirect URI matches a registered one: simple string comparison
 * (RFC 9700 §4.1.3, RFC 6749 §3.1.2.3), with the one exception RFC 8252 §7.3 requires: for a
 * loopback IP literal (`http://127.0.0.1`, `http://[::1]`), any port is accepted, since a native
 * app picks a free port at run time. `localhost` gets no exception (RFC 8252 §8.3: NOT RECOMMENDED).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function matchesRegisteredRedirectUri(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true
  const loopback = withoutLoopbackPort(requested)
  return loopback !== undefined && registered.some((uri) => withoutLoopbackPort(uri) === loopback)
}

/** The URI without its port when it is an http loopback IP literal; `undefined` otherwise. */
function withoutLoopbackPort(uri: string): string | undefined {
  const match = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::\d{1,5})?([/?].*)?$/.exec(uri)
  if (match === null) return undefined
  return `http://${match[1]}${match[2] ?? ''}`
}

/**
 * Adds response parameters to a redirect URI, keeping its own query exactly as registered
 * (RFC 6749 §3.1.2: the query component "MUST be retained when adding additional query parameters").
 */
export function appendQuery(uri: string, params: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams(params as Record<string, string>).toString()
  if (query === '') return uri
  const separator = !uri.includes('?') ? '?' : uri.endsWith('?') || uri.endsWith('&') ? '' : '&'
  return `${uri}${separator}${query}`
}
