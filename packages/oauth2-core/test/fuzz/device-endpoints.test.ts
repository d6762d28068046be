import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import { Browser, hiddenFields, startDevice } from '../fixtures/device-flow.js'
import { basicAuth } from '../fixtures/request.js'
import {
  applyEdits,
  authorizationArbitrary,
  bodyShapeArbitrary,
  contentTypeArbitrary,
  createFuzzProvider,
  DEVICE_URL,
  editsArbitrary,
  extraHeadersArbitrary,
  fuzzParameters,
  fuzzTimeout,
  handleSafely,
  headersOf,
  methodArbitrary,
  toBody,
  valueArbitrary,
  VERIFY_URL,
  WEB_BASIC,
  type FuzzProvider,
} from './harness.js'

let target: FuzzProvider
let userCode: string
let browser: Browser
let codeFields: Record<string, string>

beforeAll(async () => {
  target = createFuzzProvider()
  userCode = (await startDevice(target.provider)).user_code
  browser = new Browser(target.provider, '203.0.113.5')
  codeFields = hiddenFields((await browser.get(VERIFY_URL)).body)
  target.store.take()
})

describe('fuzz: the device authorization endpoint (RFC 8628 §3.1, §3.2) under mutated and random requests', () => {
  it('never answers 5xx, answers every error with a registered RFC 6749 §5.2 object, and changes no state on a rejection', async () => {
    const names = fc.oneof(fc.constantFrom('client_id', 'scope', 'client_secret', 'client_assertion', 'client_assertion_type', 'device_code', 'user_code'), fc.string({ maxLength: 10 }))
    const arbitrary = fc.record({
      edits: editsArbitrary(valueArbitrary(['tv', 'web-app', 'svc', 'profile', 'offline_access', 'profile offline_access', 'openid']), names),
      template: fc.constantFrom({ client_id: 'tv' }, { client_id: 'tv', scope: 'profile offline_access' }, { client_id: 'web-app' }, {}),
      shape: bodyShapeArbitrary,
      method: methodArbitrary('POST'),
      contentType: contentTypeArbitrary,
      authorization: authorizationArbitrary([WEB_BASIC, basicAuth('tv', '')]),
      extra: extraHeadersArbitrary,
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const req: OAuth2Request = {
          method: r.method,
          url: DEVICE_URL,
          headers: headersOf({ contentType: r.contentType, authorization: r.authorization, extra: r.extra }),
          body: toBody(applyEdits(r.template, r.edits), r.shape),
        }
        const result = await handleSafely(target, req, 'json')
        if (result.status === 200) expect(JSON.parse(result.body)).toMatchObject({ device_code: expect.any(String), user_code: expect.any(String) })
      }),
      fuzzParameters(1500),
    )
  }, fuzzTimeout())
})

describe('fuzz: the verification page (RFC 8628 §3.3, §5.1, RFC 9700 §4.16) under mutated and random requests', () => {
  it('never answers 5xx, frames and caches no page, escapes every value, and changes only attempt counters on a rejection', async () => {
    const names = fc.oneof(
      fc.constantFrom('user_code', 'oauth2_csrf', 'oauth2_step', 'oauth2_ticket', 'oauth2_decision', 'username', 'password', 'client_id'),
      fc.string({ maxLength: 10 }),
    )
    const arbitrary = fc.record({
      step: fc.constantFrom('code', 'login', 'nothing'),
      edits: fc.constant(null).chain(() => editsArbitrary(valueArbitrary([userCode, userCode.toLowerCase(), userCode.replace('-', ''), 'login', 'consent', 'allow', 'deny', 'alice', 'wonderland']), names)),
      shape: bodyShapeArbitrary,
      method: methodArbitrary('POST'),
      contentType: contentTypeArbitrary,
      cookie: fc.oneof({ weight: 4, arbitrary: fc.constant('browser' as const) }, { weight: 1, arbitrary: fc.constantFrom(undefined, '__Host-oauth2_csrf=forged', 'x=y') }),
      query: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => `?user_code=${encodeURIComponent(s)}`) }, { weight: 1, arbitrary: fc.constantFrom('?user_code=%3Cscript%3Ealert(1)%3C%2Fscript%3E', `?user_code=${userCode}`, '?user_code=a&user_code=b') }),
      address: fc.constantFrom('203.0.113.5', '203.0.113.6', undefined, '', '::1', 'x'.repeat(300)),
      extra: extraHeadersArbitrary,
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async (r) => {
        const base =
          r.step === 'code' ? { ...codeFields, user_code: userCode } : r.step === 'login' ? { ...codeFields, user_code: userCode, oauth2_step: 'login', username: 'alice', password: 'wonderland' } : {}
        const cookieHeader = r.cookie === 'browser' ? [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ') : r.cookie
        const req: OAuth2Request = {
          method: r.method,
          url: `${VERIFY_URL}${r.query}`,
          headers: headersOf({ contentType: r.contentType, cookie: cookieHeader, extra: r.extra }),
          body: toBody(applyEdits(base, r.edits), r.shape),
          ...(r.address !== undefined ? { clientAddress: r.address } : {}),
        }
        await handleSafely(target, req, 'html')
      }),
      fuzzParameters(1500),
    )
  }, fuzzTimeout())
})
