import { describe, expect, it, vi } from 'vitest'
import type { OAuth2Result } from '@x/oauth2-core'
import { authorize, codeFlowProvider, codeRequest, redirectParams, REDIRECT_URI, signInAndConsent } from '../fixtures/authorization.js'
import { Browser, deviceFlowProvider, VERIFY_URL } from '../fixtures/device-flow.js'
import { ISSUER, json } from '../fixtures/request.js'

/**
 * Results user code builds, each of which Node's `setHeader` / `writeHead` or Fetch's `Response`
 * refuses (RFC 9110 §5.1 field names, §5.5 field values, §15 status codes), with the part of the
 * TypeError's message that names the problem and a marker that must never reach the client.
 */
const BAD_RESULTS: ReadonlyArray<{ name: string; result: OAuth2Result; problem: string; marker: string }> = [
  { name: 'a header name with a space (RFC 9110 §5.1)', result: { status: 200, headers: { 'x note': 'n' }, body: 'marker-name' }, problem: 'not an RFC 9110 §5.1 token', marker: 'marker-name' },
  { name: 'a header value with CR LF (RFC 9110 §5.5)', result: { status: 200, headers: { 'x-note': 'a\r\nset-cookie: marker-crlf=1' }, body: '' }, problem: 'U+000D', marker: 'marker-crlf' },
  { name: 'a header value with NUL (RFC 9110 §5.5)', result: { status: 200, headers: { 'x-note': 'marker-nul\0' }, body: '' }, problem: 'U+0000', marker: 'marker-nul' },
  { name: 'a header value above U+00FF (RFC 9110 §5.5)', result: { status: 400, headers: { 'x-note': 'café ☕ marker-cup' }, body: '' }, problem: 'U+2615', marker: 'marker-cup' },
  { name: 'the status 1000 (RFC 9110 §15)', result: { status: 1000, headers: {}, body: 'marker-1000' }, problem: 'the status 1000', marker: 'marker-1000' },
  { name: 'the status 99 (RFC 9110 §15)', result: { status: 99, headers: {}, body: 'marker-99' }, problem: 'the status 99', marker: 'marker-99' },
  { name: 'the status 1.5 (RFC 9110 §15)', result: { status: 1.5, headers: {}, body: 'marker-frac' }, problem: 'the status 1.5', marker: 'marker-frac' },
  { name: 'a 204 with a body (RFC 9110 §15.3.5)', result: { status: 204, headers: {}, body: 'marker-204' }, problem: 'has no content', marker: 'marker-204' },
]

/** Asserts the one onError call: a TypeError naming the callback and the problem. */
function expectReported(onError: ReturnType<typeof vi.fn>, callback: string, problem: string) {
  expect(onError).toHaveBeenCalledTimes(1)
  const error = onError.mock.calls[0]![0] as Error
  expect(error).toBeInstanceOf(TypeError)
  expect(error.message).toContain(callback)
  expect(error.message).toContain(problem)
}

/** Asserts the generic 500 server_error, with nothing of the callback's result. */
function expectGenericServerError(result: OAuth2Result, marker: string) {
  expect(result.status).toBe(500)
  expect(json(result)).toEqual({ error: 'server_error', error_description: 'The authorization server encountered an unexpected condition.' })
  expect(JSON.stringify(result)).not.toContain(marker)
}

/** Asserts the RFC 6749 §4.1.2.1 server_error redirect, with state and iss, and nothing of the callback's result. */
function expectServerErrorRedirect(result: OAuth2Result, marker: string) {
  expect([302, 303]).toContain(result.status)
  const { base, params } = redirectParams(result)
  expect(base).toBe(REDIRECT_URI)
  expect(params).toMatchObject({ error: 'server_error', state: 'state-123', iss: ISSUER })
  expect(JSON.stringify(result)).not.toContain(marker)
  expect(result.headers['x-note']).toBeUndefined()
}

describe('RFC 9110 §5.1, §5.5, §15: a page renderer result the HTTP layer would refuse is a server_error', () => {
  it.each(BAD_RESULTS)('redirects server_error for a sign-in page renderer returning $name, and reports a TypeError to onError', async ({ result, problem, marker }) => {
    const onError = vi.fn()
    const { provider } = codeFlowProvider({ route: (r) => r.setGETResponseRenderer(() => result), builder: (b) => b.onError(onError) })
    expectServerErrorRedirect(await authorize(provider, (await codeRequest()).params), marker)
    expectReported(onError, 'page renderer', problem)
  })

  it.each(BAD_RESULTS)('answers the generic 500 for an error page renderer returning $name', async ({ result, problem, marker }) => {
    const onError = vi.fn()
    const { provider } = codeFlowProvider({ route: (r) => r.setErrorPageRenderer(() => result), builder: (b) => b.onError(onError) })
    expectGenericServerError(await authorize(provider, { client_id: 'nobody', response_type: 'code' }), marker)
    expectReported(onError, 'page renderer', problem)
  })

  it.each(BAD_RESULTS)('answers the generic 500 for a device code page renderer returning $name (RFC 8628 §3.3)', async ({ result, problem, marker }) => {
    const onError = vi.fn()
    const { provider } = deviceFlowProvider({}, { configure: (b) => b.onError(onError).verificationRoute((r) => r.setCodePageRenderer(() => result)) })
    expectGenericServerError(await new Browser(provider).get(VERIFY_URL), marker)
    expectReported(onError, 'page renderer', problem)
  })

  it('sends a valid custom header and status of a renderer as they are, with the page security headers kept', async () => {
    const { provider } = codeFlowProvider({
      route: (r) =>
        r.setGETResponseRenderer(() => ({
          status: 200,
          headers: { 'X-Note': 'café\tok', 'x-frame-options': 'ALLOWALL', 'cache-control': 'public, max-age=3600' },
          body: '<p>custom</p>',
        })),
    })
    const page = await authorize(provider, (await codeRequest()).params)
    expect(page.status).toBe(200)
    expect(page.body).toBe('<p>custom</p>')
    expect(page.headers['x-note']).toBe('café\tok')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['set-cookie']).toBeDefined()
  })

  it('lets a sign-in page renderer redirect to a sign-in page of its own (303)', async () => {
    const { provider } = codeFlowProvider({
      route: (r) => r.setGETResponseRenderer(() => ({ status: 303, headers: { location: 'https://login.example.com/?from=as' }, body: '' })),
    })
    const page = await authorize(provider, (await codeRequest()).params)
    expect(page.status).toBe(303)
    expect(page.headers['location']).toBe('https://login.example.com/?from=as')
  })
})

describe('RFC 9110 §5.1, §5.5, §15: a finalizeAuthorization result the HTTP layer would refuse is the RFC 6749 §4.1.2.1 server_error redirect', () => {
  it.each(BAD_RESULTS)('redirects server_error for finalizeAuthorization returning $name, without calling it again', async ({ result, problem, marker }) => {
    const finalize = vi.fn(() => result)
    const onError = vi.fn()
    const { provider } = codeFlowProvider({ route: (r) => r.consent(() => true).finalizeAuthorization(finalize), builder: (b) => b.onError(onError) })
    expectServerErrorRedirect(await signInAndConsent(provider, (await codeRequest()).params), marker)
    expect(finalize).toHaveBeenCalledTimes(1)
    expectReported(onError, 'finalizeAuthorization', problem)
  })

  it('sends a valid redirect of finalizeAuthorization with its own header, and no-store', async () => {
    const finalize = vi.fn((ctx: { fullRedirectUri: string }) => ({ status: 302, headers: { Location: ctx.fullRedirectUri, 'X-Note': 'finalized' }, body: '' }))
    const { provider } = codeFlowProvider({ route: (r) => r.consent(() => true).finalizeAuthorization(finalize) })
    const result = await signInAndConsent(provider, (await codeRequest()).params)
    expect(result.status).toBe(302)
    expect(redirectParams(result).params['code']).toBeDefined()
    expect(result.headers['x-note']).toBe('finalized')
    expect(result.headers['cache-control']).toBe('no-store')
  })
})
