import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import { cookieOf, hiddenFields, pkcePair, submit } from '../fixtures/authorization.js'
import {
  applyEdits,
  AUTHORIZE_URL,
  bodyShapeArbitrary,
  contentTypeArbitrary,
  createFuzzProvider,
  editsArbitrary,
  extraHeadersArbitrary,
  FORM,
  fuzzParameters,
  fuzzTimeout,
  handleSafely,
  headersOf,
  ISSUER,
  methodArbitrary,
  REDIRECT_URI,
  toBody,
  valueArbitrary,
  type FuzzProvider,
} from './harness.js'

let target: FuzzProvider
/** A valid authorization request (PKCE S256) of the web client. */
let request: Record<string, string>
/** The CSRF cookie (`name=value`) of the browser that loaded the sign-in page. */
let cookie: string
let loginFields: Record<string, string>

beforeAll(async () => {
  target = createFuzzProvider()
  const { challenge } = await pkcePair()
  request = {
    response_type: 'code',
    client_id: 'web-app',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }
  const page = await target.provider.handle({ method: 'GET', url: `${AUTHORIZE_URL}?${new URLSearchParams(request).toString()}`, headers: {} })
  expect(page.status).toBe(200)
  cookie = cookieOf(page)
  loginFields = hiddenFields(page.body)
  target.store.take()
})

/** A consent form with a fresh login ticket: the sign-in step is replayed for each run that needs one. */
async function consentFields(): Promise<Record<string, string>> {
  const consent = await submit(target.provider, { ...loginFields, username: 'alice', password: 'wonderland' }, cookie)
  return { ...hiddenFields(consent.body), oauth2_decision: 'allow' }
}

const names = fc.oneof(
  fc.constantFrom(
    'response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'prompt',
    'max_age', 'login_hint', 'response_mode', 'request', 'request_uri', 'id_token_hint', 'oauth2_step', 'oauth2_csrf', 'oauth2_ticket',
    'oauth2_decision', 'username', 'password',
  ),
  fc.string({ maxLength: 12 }),
)

describe('fuzz: the authorization endpoint (RFC 6749 §4.1.1, §4.1.2.1, RFC 9700 §4.1, §4.11, §4.16) under mutated and random requests', () => {
  it('never answers 5xx, redirects only to registered redirect URIs with iss, frames and caches no page, escapes every value, and changes no state on a rejection', async () => {
    const live = () => [
      'code', 'token', 'id_token', 'web-app', 'native-app', 'jwt-app', REDIRECT_URI, 'http://127.0.0.1:9/callback', 'openid profile', 'openid',
      'offline_access', 'S256', 'plain', 'none', 'login', 'consent', 'select_account', 'form_post', 'query', 'fragment', 'allow', 'deny',
      'alice', 'wonderland', request['code_challenge']!, loginFields['oauth2_csrf']!,
    ]
    const arbitrary = fc.record({
      form: fc.constantFrom('request', 'login', 'consent', 'nothing'),
      post: fc.boolean(),
      edits: fc.constant(null).chain(() => editsArbitrary(valueArbitrary(live()), names)),
      shape: bodyShapeArbitrary,
      method: fc.boolean().chain((post) => methodArbitrary(post ? 'POST' : 'GET')),
      contentType: contentTypeArbitrary,
      cookie: fc.oneof(
        { weight: 4, arbitrary: fc.constant('browser' as const) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, '__Host-oauth2_csrf=forged', `${'x'.repeat(5000)}=y`, 'a=b; __Host-oauth2_csrf=') },
        { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
      ),
      url: fc.oneof({ weight: 12, arbitrary: fc.constant(AUTHORIZE_URL) }, { weight: 1, arbitrary: fc.constantFrom(`${ISSUER}/oauth2/authorize/`, '/oauth2/authorize?', '/oauth2/authorize#x') }),
      extra: extraHeadersArbitrary,
    })

    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const base =
          r.form === 'request' ? request : r.form === 'login' ? { ...loginFields, username: 'alice', password: 'wonderland' } : r.form === 'consent' ? await consentFields() : {}
        const pairs = applyEdits(base, r.edits)
        const asForm = r.method.toUpperCase() === 'POST'
        const req: OAuth2Request = asForm
          ? {
              method: r.method,
              url: r.url,
              headers: headersOf({ contentType: r.contentType, cookie: r.cookie === 'browser' ? cookie : r.cookie, extra: r.extra }),
              body: toBody(pairs, r.shape),
            }
          : {
              method: r.method,
              url: `${r.url}${r.url.includes('?') ? '&' : '?'}${new URLSearchParams(pairs).toString()}`,
              headers: headersOf({ cookie: r.cookie === 'browser' ? cookie : r.cookie, extra: r.extra }),
            }
        const result = await handleSafely(target, req, 'html')
        // RFC 9700 §4.2.4: a redirect carrying a code or an error leaks nothing through Referer.
        if (result.headers['location'] !== undefined) expect(result.headers['referrer-policy']).toBe('no-referrer')
        if (result.status === 200 && result.headers['content-type']?.startsWith('text/html')) {
          expect(result.headers['content-security-policy']).toMatch(/default-src 'none'/)
        }
      }),
      fuzzParameters(1500),
    )
  }, fuzzTimeout())

  it('sends a POSTed sign-in form with the right cookie but forged fields nowhere but the sign-in page again', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 43 }), async (csrf) => {
        fc.pre(csrf !== loginFields['oauth2_csrf'])
        const result = await handleSafely(
          target,
          {
            method: 'POST',
            url: AUTHORIZE_URL,
            headers: { 'content-type': FORM, cookie },
            body: new URLSearchParams({ ...loginFields, oauth2_csrf: csrf, username: 'alice', password: 'wonderland' }).toString(),
          },
          'html',
        )
        // RFC 6749 §10.12: the credentials are not even checked.
        expect(result.status).toBe(403)
        expect(result.headers['location']).toBeUndefined()
      }),
      fuzzParameters(200),
    )
  }, fuzzTimeout())
})
