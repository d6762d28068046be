import { describe, expect, it } from 'vitest'
import { DEFAULT_REQUEST_LIMITS, LIMITED_PARAMETERS, OAuth2ClientCredentialsBuilder, OAuth2TokenResponse, type OAuth2Result } from '@x/oauth2-core'
import {
  AUTHORIZE_URL,
  createFuzzProvider,
  DEVICE_URL,
  FORM,
  INTROSPECT_URL,
  REVOKE_URL,
  RS_BASIC,
  SVC_BASIC,
  TOKEN_URL,
  USERINFO_URL,
  VERIFY_URL,
} from '../fuzz/harness.js'
import { ISSUER, json } from '../fixtures/request.js'

function post(provider: ReturnType<typeof createFuzzProvider>['provider'], url: string, body: string, headers: Record<string, string> = {}) {
  return provider.handle({ method: 'POST', url, headers: { 'content-type': FORM, ...headers }, body })
}

/** The RFC 6749 §5.2 error of a JSON result. */
function errorOf(result: OAuth2Result) {
  return { status: result.status, ...(json(result) as { error: string; error_description: string }) }
}

describe('RFC 9700 §4 / RFC 6749 §5.2 request limits: defaults', () => {
  it('limits bodies to 64 KiB, protocol parameters to 8192 characters and scope to 100 tokens by default', () => {
    expect(DEFAULT_REQUEST_LIMITS).toEqual({ maxBodyLength: 65536, maxParameterLength: 8192, maxScopeTokens: 100 })
    for (const name of ['client_assertion', 'client_secret', 'refresh_token', 'code', 'device_code', 'scope', 'state', 'redirect_uri', 'user_code']) {
      expect(LIMITED_PARAMETERS.has(name)).toBe(true)
    }
    // Presented tokens are answered as their RFCs say (RFC 7009 §2.2, RFC 7662 §2.2, RFC 6750 §3.1).
    expect(LIMITED_PARAMETERS.has('token')).toBe(false)
    expect(LIMITED_PARAMETERS.has('access_token')).toBe(false)
  })

  it('refuses a protocol parameter over 8192 characters with invalid_request naming it', async () => {
    const { provider } = createFuzzProvider()
    const result = await post(provider, TOKEN_URL, `grant_type=client_credentials&client_secret=${'s'.repeat(8193)}&client_id=post-app`)
    expect(errorOf(result)).toEqual({ status: 400, error: 'invalid_request', error_description: 'The client_secret parameter is longer than 8192 characters.' })
  })

  it('ignores a long parameter the core does not read (RFC 6749 §3.1): it only counts toward the body size', async () => {
    const { provider } = createFuzzProvider()
    const result = await post(provider, TOKEN_URL, `grant_type=client_credentials&scope=read&padding=${'p'.repeat(20_000)}`, { authorization: SVC_BASIC })
    expect(result.status).toBe(200)
  })

  it('refuses a scope of more than 100 tokens with invalid_request', async () => {
    const { provider } = createFuzzProvider()
    const scope = Array.from({ length: 101 }, (_, i) => `s${i}`).join(' ')
    const result = await post(provider, TOKEN_URL, new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(), { authorization: SVC_BASIC })
    expect(errorOf(result)).toEqual({ status: 400, error: 'invalid_request', error_description: 'The scope parameter holds more than 100 scope tokens.' })
  })
})

describe('RFC 9700 §4 / RFC 6749 §5.2 request limits: setRequestLimits applies them at every endpoint', () => {
  const limits = { maxBodyLength: 2000, maxParameterLength: 64, maxScopeTokens: 2 }
  const long = 'x'.repeat(65)

  it('refuses a body over maxBodyLength with 413 invalid_request', async () => {
    const { provider } = createFuzzProvider({ limits })
    const result = await post(provider, TOKEN_URL, `grant_type=client_credentials&pad=${'p'.repeat(2000)}`, { authorization: SVC_BASIC })
    expect(errorOf(result)).toEqual({ status: 413, error: 'invalid_request', error_description: 'The request body is too large.' })
    // A body within the limit still works.
    expect((await post(provider, TOKEN_URL, `grant_type=client_credentials&pad=${'p'.repeat(1900)}`, { authorization: SVC_BASIC })).status).toBe(200)
  })

  it('refuses an over-long parameter at the token, device authorization, revocation and introspection endpoints', async () => {
    const { provider } = createFuzzProvider({ limits })
    const cases: Array<[string, string, Record<string, string>, string]> = [
      [TOKEN_URL, `grant_type=client_credentials&scope=${long}`, { authorization: SVC_BASIC }, 'scope'],
      [TOKEN_URL, `grant_type=refresh_token&refresh_token=${long}`, { authorization: SVC_BASIC }, 'refresh_token'],
      [DEVICE_URL, `client_id=${long}`, {}, 'client_id'],
      [REVOKE_URL, `token=t&token_type_hint=${long}`, { authorization: RS_BASIC }, 'token_type_hint'],
      [INTROSPECT_URL, `token=t&client_secret=${long}&client_id=rs`, {}, 'client_secret'],
    ]
    for (const [url, body, headers, name] of cases) {
      const result = await post(provider, url, body, headers)
      expect([url, errorOf(result)]).toEqual([url, { status: 400, error: 'invalid_request', error_description: `The ${name} parameter is longer than 64 characters.` }])
    }
  })

  it('answers an over-long presented token as its RFC says: revocation 200, introspection inactive, UserInfo invalid_token', async () => {
    const { provider } = createFuzzProvider({ limits: { maxParameterLength: 64 } })
    const huge = 'x'.repeat(9000)
    expect((await post(provider, REVOKE_URL, `token=${huge}`, { authorization: RS_BASIC })).status).toBe(200)
    expect(json(await post(provider, INTROSPECT_URL, `token=${huge}`, { authorization: RS_BASIC }))).toEqual({ active: false })
    expect(errorOf(await post(provider, USERINFO_URL, `access_token=${huge}`))).toMatchObject({ status: 401, error: 'invalid_token' })
  })

  it('refuses more scope tokens than maxScopeTokens at the token and device authorization endpoints', async () => {
    const { provider } = createFuzzProvider({ limits })
    for (const [url, body, headers] of [
      [TOKEN_URL, 'grant_type=client_credentials&scope=read+write+read', { authorization: SVC_BASIC }],
      [DEVICE_URL, 'client_id=tv&scope=a+b+c', {}],
    ] as const) {
      expect(errorOf(await post(provider, url, body, headers))).toEqual({
        status: 400,
        error: 'invalid_request',
        error_description: 'The scope parameter holds more than 2 scope tokens.',
      })
    }
    // Two tokens are within the limit.
    expect((await post(provider, TOKEN_URL, 'grant_type=client_credentials&scope=read+write', { authorization: SVC_BASIC })).status).toBe(200)
  })

  it('answers an over-limit authorization request with an error page, never a redirect (RFC 6749 §4.1.2.1)', async () => {
    const { provider } = createFuzzProvider({ limits })
    const query = new URLSearchParams({ response_type: 'code', client_id: 'web-app', state: long })
    const page = await provider.handle({ method: 'GET', url: `${AUTHORIZE_URL}?${query.toString()}`, headers: {} })
    expect(page.status).toBe(400)
    expect(page.headers['location']).toBeUndefined()
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.body).toContain('The state parameter is longer than 64 characters.')
    const big = await post(provider, AUTHORIZE_URL, `client_id=web-app&pad=${'p'.repeat(2001)}`)
    expect(big.status).toBe(413)
    expect(big.headers['location']).toBeUndefined()
  })

  it('answers an over-limit user code on the verification page with the code page again (400)', async () => {
    const { provider } = createFuzzProvider({ limits })
    const result = await post(provider, VERIFY_URL, `user_code=${long}`)
    expect(result.status).toBe(400)
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8')
  })
})

describe('RFC 9700 §4 request limits: configuration errors are thrown by build()', () => {
  const builder = () =>
    OAuth2ClientCredentialsBuilder.create()
      .setIssuer(ISSUER)
      .tokenRoute((r) => r.generateToken(() => new OAuth2TokenResponse({ access_token: 'at' })))

  it('refuses a limit that is not a positive whole number', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => builder().setRequestLimits({ maxParameterLength: bad }).build()).toThrow(/setRequestLimits: maxParameterLength must be a positive whole number/)
    }
  })

  it('refuses an unknown limit name, so a typo is never silently ignored', () => {
    expect(() => builder().setRequestLimits({ maxParamLength: 10 } as never).build()).toThrow(/unknown limit "maxParamLength"/)
  })

  it('refuses something that is not an object', () => {
    expect(() => builder().setRequestLimits(null as never)).toThrow(TypeError)
  })

  it('accumulates calls', async () => {
    const provider = builder().setRequestLimits({ maxScopeTokens: 1 }).setRequestLimits({ maxParameterLength: 20 }).build()
    const result = await provider.handle({ method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM }, body: 'grant_type=client_credentials&scope=a+b' })
    expect(json(result)['error_description']).toBe('The scope parameter holds more than 1 scope tokens.')
    const longer = await provider.handle({ method: 'POST', url: TOKEN_URL, headers: { 'content-type': FORM }, body: `grant_type=client_credentials&scope=${'a'.repeat(21)}` })
    expect(json(longer)['error_description']).toBe('The scope parameter is longer than 20 characters.')
  })
})
