/** A path-absolute request target the URL parser would not rewrite: no dot segment, `%`, backslash, whitespace or control character. */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/

/**
 * The pathname of a plain origin-form request target (`/oauth2/token?x=1` -> `/oauth2/token`, what
 * Node servers hand over), exactly as `new URL(target, base).pathname` would give it, without
 * building a `URL`; `undefined` for anything the URL parser could rewrite (an absolute URL, dot
 * segments, escapes, ...), which must go through it. `provider.handle()` and the adapters'
 * `requestPathname` both route by this, so they agree on every target.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
 */
export function plainPathname(target: string): string | undefined {
  // A server sees the same few targets over and over: the last answer is kept (a string compare
  // instead of three pattern runs per request). Only for a target without query or fragment, which
  // could carry a code or a token: none is kept past its request.
  if (target === lastTarget) return lastPathname
  if (target.charCodeAt(0) !== 0x2f) return undefined
  const end = target.search(/[?#]/)
  const pathname = end === -1 ? target : target.slice(0, end)
  const plain = PLAIN_PATH.test(pathname) && !DOT_SEGMENT.test(pathname) ? pathname : undefined
  if (end === -1) {
    lastTarget = target
    lastPathname = plain
  }
  return plain
}

let lastTarget: string | undefined
let lastPathname: string | undefined
