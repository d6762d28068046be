import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OAuth2DeviceAuthorizationBuilder, type OAuth2Provider } from '@x/oauth2-core'
import { requestPathname } from '@x/oauth2-core/adapter'
import { fuzzParameters, fuzzTimeout, ISSUER } from './harness.js'

/** What `requestPathname` must give: the URL parser's pathname, `''` where it refuses the target. */
function parsedPathname(url: string, issuer: string): string {
  try {
    return new URL(url, issuer).pathname
  } catch {
    return ''
  }
}

/** The characters that decide how a target parses: separators, dots, escapes, whitespace, controls, non-ASCII. */
const TRICKY = ['/', '/', '/', '.', '..', '%', '%2e', '%2F', '%zz', '?', '#', '\\', ' ', '\t', '\n', '\r', '\u0000', '\u007f', ':', '@', ';', '=', '&', "'", '"', '<', '>', '`', '{', '|', '^', '[', ']', '~', 'é', '\uD800', '\u3000', 'oauth2', 'token', 'a', 'A', '0']

/** Request targets: origin-form mostly (what Node servers hand over), and everything else a client can send. */
const targetArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 16 }).map((parts) => `/${parts.join('')}`) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 16 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.webPath() },
  { weight: 1, arbitrary: fc.tuple(fc.webPath(), fc.webQueryParameters(), fc.webFragments()).map(([path, query, fragment]) => `${path}?${query}#${fragment}`) },
  { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((text) => `/${text}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
)

const ISSUERS = [ISSUER, `${ISSUER}/tenant`, 'http://127.0.0.1:8080/a/b']

describe('fuzz: requestPathname (@x/oauth2-core/adapter) routes a target as the URL parser and the core do (RFC 9112 §3.2)', () => {
  it("equals new URL(target, issuer).pathname, or '' for a target the parser refuses", () => {
    fc.assert(
      fc.property(targetArbitrary, fc.constantFrom(...ISSUERS), (target, issuer) => {
        expect(requestPathname(target, issuer)).toBe(parsedPathname(target, issuer))
        // Again: the last plain target's answer is kept, and must be the same answer.
        expect(requestPathname(target, issuer)).toBe(parsedPathname(target, issuer))
      }),
      fuzzParameters(5000),
    )
  })

  it('agrees with provider.handle() on which targets the provider serves', async () => {
    const providers: OAuth2Provider[] = ISSUERS.map((issuer) => OAuth2DeviceAuthorizationBuilder.create().setIssuer(issuer).addClientAuthenticationMethod('none').build())
    // Targets near the provider's own paths too, where a disagreement would matter.
    const routes = [...new Set(providers.flatMap((provider) => provider.routes.map((route) => route.pathname)))]
    const near = fc
      .tuple(fc.constantFrom(...routes), fc.constantFrom('', '/', '?x=1', '#f', '/.', '/..', '%', '/x/..', '?', '\\', ' '), fc.constantFrom('', '/.', '/./', '/a/../', '//'))
      .map(([route, suffix, prefix]) => `${prefix === '' ? '' : prefix.slice(0, -1)}${route}${suffix}`)
    // Absolute URLs on the issuer's origin (what Web adapters pass), and on look-alike origins.
    const origins = fc.constantFrom('http://127.0.0.1:8080', 'http://127.0.0.1:8080:', 'http://127.0.0.1:80800', 'HTTP://127.0.0.1:8080', 'http://127.0.0.1:8080@x', new URL(ISSUER).origin)
    const absolute = fc.tuple(origins, fc.oneof(near, targetArbitrary)).map(([origin, path]) => `${origin}${path}`)
    await fc.assert(
      fc.asyncProperty(fc.oneof(targetArbitrary, near, absolute), fc.nat(providers.length - 1), async (target, index) => {
        const provider = providers[index]!
        // No endpoint takes PATCH: a routed target gets the 405, any other a 404 or the malformed-URL 400.
        const result = await provider.handle({ method: 'PATCH', url: target, headers: {} })
        expect(provider.hasRoute(requestPathname(target, provider.issuer)), `${target} -> ${result.status}`).toBe(result.status === 405)
      }),
      fuzzParameters(3000),
    )
  }, fuzzTimeout())
})
