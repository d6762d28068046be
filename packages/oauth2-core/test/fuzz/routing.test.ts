import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import {
  authorizationArbitrary,
  contentTypeArbitrary,
  createFuzzProvider,
  extraHeadersArbitrary,
  fuzzParameters,
  fuzzTimeout,
  handleSafely,
  headersOf,
  ISSUER,
  JWKS_URL,
  WEB_BASIC,
  type FuzzProvider,
} from './harness.js'

let target: FuzzProvider

beforeAll(() => {
  target = createFuzzProvider()
})

const PUBLIC_PATHS = ['/oauth2/keys', '/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']
const CREDENTIAL_PATHS = ['/oauth2/token', '/oauth2/revoke', '/oauth2/introspect', '/oauth2/userinfo', '/oauth2/device_authorization']
const PAGE_PATHS = ['/oauth2/authorize', '/oauth2/device']

describe('fuzz: routing of every endpoint (RFC 8414 §3, RFC 7517 §5, RFC 9110 §15.5.6) under random paths, methods and headers', () => {
  it('never answers 5xx; unknown paths get an empty 404, wrong methods a 405 with Allow, and every body is well formed', async () => {
    const path = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...PUBLIC_PATHS, ...CREDENTIAL_PATHS, ...PAGE_PATHS) },
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '/', '', '/oauth2', '/oauth2/', '/oauth2/token/', '/OAUTH2/TOKEN', '/oauth2/%74oken', '/oauth2//token', '/oauth2/./token', '/oauth2/../oauth2/token',
          '/.well-known/', '/.well-known/openid-configuration/x', '/%2e%2e/etc/passwd', '/oauth2/keys?x=1', '/oauth2/keys#frag', '//evil.example/oauth2/token',
          'https://evil.example/oauth2/token', 'http://as.example.com/oauth2/token', `${ISSUER}:443/oauth2/token`, 'http://[::1', '\u0000', '/\uD800',
        ),
      },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.webPath() },
    )
    const arbitrary = fc.record({
      path,
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'get', 'Post'), fc.string({ maxLength: 10 })),
      contentType: contentTypeArbitrary,
      authorization: authorizationArbitrary([WEB_BASIC]),
      body: fc.oneof(fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 100 })),
      extra: extraHeadersArbitrary,
      headerShape: fc.constantFrom('record', 'Headers', 'broken'),
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const record = headersOf({ contentType: r.contentType, authorization: r.authorization, extra: r.extra })
        const headers =
          r.headerShape === 'Headers'
            ? toWebHeaders(record)
            : r.headerShape === 'broken'
              ? ({ ...record, 'x-number': 42, 'x-object': { a: 1 }, 'x-null': null } as unknown as Record<string, string>)
              : record
        const req: OAuth2Request = { method: r.method, url: r.path, headers, body: r.body }
        const pathname = safePathname(r.path)
        const surface = PUBLIC_PATHS.includes(pathname) ? 'public' : PAGE_PATHS.includes(pathname) ? 'html' : 'json'
        const result = await handleSafely(target, req, surface)
        if (result.status === 404) expect(result.body).toBe('')
        if (result.status === 200 && PUBLIC_PATHS.includes(pathname)) {
          const body = r.method.toUpperCase() === 'HEAD' ? {} : JSON.parse(result.body)
          if (pathname === '/oauth2/keys' && r.method.toUpperCase() === 'GET') {
            // RFC 7517 §5: public members only, whatever the request.
            for (const key of body.keys) expect(key.d ?? key.p ?? key.q ?? key.k).toBeUndefined()
          }
        }
      }),
      fuzzParameters(1500),
    )
  }, fuzzTimeout())

  it('answers a request that is not an object at all with an error, never a rejection', async () => {
    for (const request of [undefined, null, 42, 'GET /', { method: 1, url: 2, headers: 3 }, { url: JWKS_URL }, { method: 'GET', url: JWKS_URL, headers: null }]) {
      const result = await target.provider.handle(request as unknown as OAuth2Request)
      expect(result.status).toBeLessThan(500)
    }
  })
})

function toWebHeaders(record: Record<string, string | string[]>): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(record)) {
    for (const v of [value].flat()) {
      try {
        headers.append(name, v)
      } catch {
        // A name or value Headers refuses: a real adapter could not have sent it either.
      }
    }
  }
  return headers
}

function safePathname(url: string): string {
  try {
    return new URL(url, ISSUER).pathname
  } catch {
    return ''
  }
}
