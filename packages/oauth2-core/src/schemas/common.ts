import * as v from 'valibot'
import { CODE_VERIFIER_PATTERN } from '../internal/pkce.js'

/** RFC 6749 §3.3: scope = scope-token *( SP scope-token ); scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
export const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/

/** RFC 6749 Appendix A: 1*VSCHAR, VSCHAR = %x20-7E. */
export const VSCHAR_PATTERN = /^[\x20-\x7E]+$/

/** A required parameter of VSCHAR syntax (codes, tokens). */
export function requiredVschar(name: string) {
  return v.pipe(
    v.string(`Missing required parameter: ${name}.`),
    v.maxLength(4096, `The ${name} parameter is too long.`),
    v.regex(VSCHAR_PATTERN, `The ${name} parameter contains characters that are not allowed.`),
  )
}

/** The optional `scope` parameter (RFC 6749 §3.3). */
export const scopeParam = v.optional(
  v.pipe(v.string(), v.maxLength(4096, 'The scope parameter is too long.'), v.regex(SCOPE_PATTERN, 'The scope parameter is malformed (RFC 6749 §3.3).')),
)

/** The optional `code_verifier` parameter (RFC 7636 §4.1). */
export const codeVerifierParam = v.optional(
  v.pipe(v.string(), v.regex(CODE_VERIFIER_PATTERN, 'The code_verifier must be 43 to 128 characters of [A-Z] [a-z] [0-9] - . _ ~ (RFC 7636 §4.1).')),
)

/** The optional `redirect_uri` parameter. */
export const redirectUriParam = v.optional(
  v.pipe(v.string(), v.maxLength(2048, 'The redirect_uri parameter is too long.'), v.regex(VSCHAR_PATTERN, 'The redirect_uri parameter is malformed.')),
)

/** Splits a validated scope string into its tokens, without duplicates. */
export function scopeTokens(scope: string | undefined): string[] {
  if (scope === undefined) return []
  // The tokens `scope.split(' ')` gives, first occurrences only. Read in place: split is a runtime
  // call, and a scope has a few tokens, for which a scan of those kept beats a Set (every token
  // request). Past 16 a Set takes over, so a long scope (up to 4,096 characters) stays linear.
  const unique: string[] = []
  let seen: Set<string> | undefined
  for (let start = 0; ; ) {
    let end = scope.indexOf(' ', start)
    if (end === -1) end = scope.length
    const token = scope.slice(start, end)
    if (seen !== undefined) {
      if (!seen.has(token)) {
        seen.add(token)
        unique.push(token)
      }
    } else if (!unique.includes(token)) {
      unique.push(token)
      if (unique.length > 16) seen = new Set(unique)
    }
    if (end === scope.length) return unique
    start = end + 1
  }
}

/**
 * Scope tokens joined with single spaces (RFC 6749 §3.3), as `tokens.join(' ')` would, but by
 * concatenation: on Node 20's V8, `Array.prototype.join` gives a two-byte (UTF-16) string when a
 * token has been internalized, as a declared scope name is (an object key of `setScopes`, which
 * `checkScope` hands out in place of the requested token). That string then makes the whole JSON response two-byte, and
 * the server transcodes it on every write (bench/RESULTS.md: ~8k instructions per request).
 */
export function joinScope(tokens: readonly string[]): string {
  if (tokens.length === 0) return ''
  if (tokens.length === lastNames.length && tokens.every(isLastName)) return lastScope
  let scope = tokens[0]!
  for (let i = 1; i < tokens.length; i++) scope = `${scope} ${tokens[i]!}`
  lastNames = tokens.slice()
  lastScope = scope
  return scope
}

/**
 * The last scope joined, and its scope names (tokens): a server issues the same scope again and
 * again, and each token it stores would otherwise keep a string of its own (one object and ~32
 * bytes per live token). The names are compared by value, so the answer is the same either way.
 */
let lastNames: readonly string[] = []
let lastScope = ''
const isLastName = (name: string, i: number): boolean => name === lastNames[i]

/**
 * Whether `token` is one of the space-separated tokens of `list` (what `list.split(' ')` would
 * include), found in place: a client's registered scope is checked on every token request, and
 * splitting it each time cost more than the rest of the scope check. Linear in `list` per token.
 */
export function hasScopeToken(list: string, token: string): boolean {
  if (token === '') return list.split(' ').includes('')
  for (let from = 0; ; ) {
    const at = list.indexOf(token, from)
    if (at === -1) return false
    const end = at + token.length
    if ((at === 0 || list.charCodeAt(at - 1) === 0x20) && (end === list.length || list.charCodeAt(end) === 0x20)) return true
    from = at + 1
  }
}

/** The declared scope names of each flow's `scopes`, by name: looked up per request, built once. */
const declaredNames = new WeakMap<object, ReadonlyMap<string, string>>()

/**
 * A flow's declared scopes (`setScopes`) as a map from each name to the configuration's own string
 * for it; empty when the flow declares none (any scope token is then accepted).
 */
export function declaredScopeNames(scopes: Readonly<Record<string, string>>): ReadonlyMap<string, string> {
  let names = declaredNames.get(scopes)
  if (names === undefined) {
    names = new Map(Object.keys(scopes).map((name) => [name, name]))
    declaredNames.set(scopes, names)
  }
  return names
}
