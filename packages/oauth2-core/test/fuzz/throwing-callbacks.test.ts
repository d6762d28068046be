import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { OAuth2Request } from '@x/oauth2-core'
import { hiddenFields } from '../fixtures/authorization.js'
import { Browser } from '../fixtures/device-flow.js'
import {
  AUTHORIZE_URL,
  createFuzzProvider,
  DEVICE_URL,
  FORM,
  fuzzParameters,
  fuzzTimeout,
  INTROSPECT_URL,
  liveValues,
  REDIRECT_URI,
  RS_BASIC,
  SVC_BASIC,
  TOKEN_URL,
  USERINFO_URL,
  VERIFY_URL,
  type FuzzProvider,
  type LiveValues,
} from './harness.js'

/** What a failing callback says: it must reach onError, and never the client. */
const MARKER = 'FUZZ-INTERNAL-DETAIL'
const CALLBACKS = ['findClient', 'authenticateUser', 'userInfo', 'store.get', 'store.set', 'store.setIfAbsent', 'store.consume', 'store.delete', 'store.revokeGrant'] as const

let armed = new Set<string>()
let target: FuzzProvider
let live: LiveValues
let loginPage: Record<string, string>
let cookie: string

beforeAll(async () => {
  target = createFuzzProvider({
    hook: (name) => {
      if (armed.has(name)) throw new Error(`${MARKER} in ${name}: /srv/app/secret-path.ts:12:3 password=hunter2`)
    },
  })
  live = await liveValues(target)
  const browser = new Browser(target.provider)
  const page = await browser.get(`${AUTHORIZE_URL}?${new URLSearchParams({ response_type: 'code', client_id: 'web-app', redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`)
  loginPage = hiddenFields(page.body)
  cookie = [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ')
})

describe('fuzz: RFC 6749 §5.2 server_error when callbacks and the store throw', () => {
  it('answers a failing callback with a generic 500 server_error (or its redirect, at the authorization endpoint), reports it to onError, and never sends its text', async () => {
    const requests = (): Record<string, OAuth2Request> => ({
      token: { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM, authorization: SVC_BASIC }, body: 'grant_type=client_credentials&scope=read' },
      refresh: { method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM, authorization: SVC_BASIC }, body: `grant_type=refresh_token&refresh_token=${live.tokens.refresh_token}` },
      login: {
        method: 'POST',
        url: AUTHORIZE_URL,
        headers: { 'content-type': FORM, cookie },
        body: new URLSearchParams({ ...loginPage, username: 'alice', password: 'wonderland' }).toString(),
      },
      userinfo: { method: 'GET', url: USERINFO_URL, headers: { authorization: `Bearer ${live.tokens.access_token}` } },
      introspect: { method: 'POST', url: INTROSPECT_URL, headers: { 'content-type': FORM, authorization: RS_BASIC }, body: `token=${live.service}` },
      device: { method: 'POST', url: DEVICE_URL, headers: { 'content-type': FORM }, body: 'client_id=tv' },
      verify: { method: 'GET', url: VERIFY_URL, headers: {} },
    })
    const arbitrary = fc.record({
      request: fc.constantFrom('token', 'refresh', 'login', 'userinfo', 'introspect', 'device', 'verify'),
      failing: fc.subarray([...CALLBACKS], { minLength: 1 }),
    })
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ request, failing }) => {
        target.reported.length = 0
        armed = new Set(failing)
        let result
        try {
          result = await target.provider.handle(requests()[request]!)
        } finally {
          armed = new Set()
        }
        expect(result.body).not.toContain(MARKER)
        expect(result.body).not.toContain('hunter2')
        expect(result.body).not.toContain('secret-path')
        // RFC 6749 §4.1.2.1: once the authorization request is validated, a failure goes back to
        // the client as a redirect with error=server_error (the browser's 500 would strand it).
        const location = result.headers['location']
        const redirected = result.status === 303 && location !== undefined ? new URL(location) : undefined
        if (redirected?.searchParams.get('error') === 'server_error') {
          expect(request).toBe('login')
          expect(redirected.origin + redirected.pathname).toBe(REDIRECT_URI)
          for (const secret of [MARKER, 'hunter2', 'secret-path']) expect(location).not.toContain(secret)
          expect(target.reported.length).toBe(1)
          expect(String(target.reported[0])).toContain(MARKER)
        } else if (result.status >= 500) {
          expect(result.status).toBe(500)
          expect(JSON.parse(result.body)).toEqual({ error: 'server_error', error_description: 'The authorization server encountered an unexpected condition.' })
          expect(result.headers['cache-control']).toBe('no-store')
          expect(target.reported.length).toBe(1)
          expect(String(target.reported[0])).toContain(MARKER)
        } else {
          expect(target.reported).toEqual([])
        }
      }),
      fuzzParameters(400),
    )
  }, fuzzTimeout())
})
