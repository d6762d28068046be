import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { OAuth2DeviceAuthorizationBuilder, type ClientMetadata, type DeviceVerificationRoute } from '@x/oauth2-core'
import {
  approve,
  authenticateAlice,
  Browser,
  decide,
  DEVICE_GRANT,
  enterCode,
  hiddenFields,
  poll,
  signIn,
  startDevice,
  VERIFY_URL,
} from '../fixtures/device-flow.js'
import { FORM, ISSUER, json, testClock } from '../fixtures/request.js'
import type { OAuth2Request } from '@x/oauth2-core'

const clients: Record<string, ClientMetadata> = {
  tv: { client_id: 'tv', client_name: 'Living <Room> TV', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT] },
}

function setup(configure: (b: OAuth2DeviceAuthorizationBuilder) => OAuth2DeviceAuthorizationBuilder = (b) => b) {
  const clock = testClock()
  const onError = vi.fn()
  const builder = OAuth2DeviceAuthorizationBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .onError(onError)
    .findClient((id) => clients[id])
    .addClientAuthenticationMethod('none')
    .setScopes({ profile: 'Read your <profile>' })
    .verificationRoute((r) => r.authenticateUser(authenticateAlice))
  return { provider: configure(builder).build(), clock, onError }
}

function expectPageHeaders(headers: Record<string, string>) {
  expect(headers['content-type']).toBe('text/html; charset=utf-8')
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(headers['x-frame-options']).toBe('DENY')
  expect(headers['cache-control']).toBe('no-store')
}

describe('RFC 8628 §3.3 user interaction: the user-code page', () => {
  it('asks for the code on GET, with the page security headers and a CSRF cookie', async () => {
    const { provider } = setup()
    const page = await provider.handle({ method: 'GET', url: VERIFY_URL, headers: {} })
    expect(page.status).toBe(200)
    expectPageHeaders(page.headers)
    expect(page.headers['set-cookie']).toMatch(/^__Host-oauth2_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/)
    expect(page.body).toContain('name="user_code"')
    expect(hiddenFields(page.body)['oauth2_csrf']).toBe(page.headers['set-cookie']!.split(';')[0]!.split('=')[1])
  })

  it('prefills the code from verification_uri_complete, for the user to confirm (RFC 8628 §3.3.1, §5.4)', async () => {
    const { provider } = setup()
    const { verification_uri_complete, user_code, device_code } = await startDevice(provider)
    const page = await provider.handle({ method: 'GET', url: verification_uri_complete, headers: {} })
    expect(page.body).toContain(`value="${user_code}"`)
    // Opening the link alone approves nothing.
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
  })

  it('escapes what it echoes from the query', async () => {
    const { provider } = setup()
    const page = await provider.handle({ method: 'GET', url: `${VERIFY_URL}?user_code=${encodeURIComponent('"><script>alert(1)</script>')}`, headers: {} })
    expect(page.body).not.toContain('<script>alert(1)')
    expect(page.body).toContain('&quot;&gt;&lt;script&gt;')
  })

  it('refuses a submission without the CSRF cookie (RFC 6749 §10.12)', async () => {
    const { provider } = setup()
    const { user_code, device_code } = await startDevice(provider)
    const forged = await provider.handle({ method: 'POST', url: VERIFY_URL, headers: { 'content-type': FORM }, body: new URLSearchParams({ user_code, oauth2_csrf: 'x'.repeat(43) }).toString() })
    expect(forged.status).toBe(403)
    expectPageHeaders(forged.headers)
    expect(forged.body).not.toContain('name="password"')
    expect((await poll(provider, device_code)).json['error']).toBe('authorization_pending')
  })

  it('refuses a submission whose CSRF field does not match the cookie', async () => {
    const { provider } = setup()
    const { user_code } = await startDevice(provider)
    const browser = new Browser(provider)
    await browser.get(VERIFY_URL)
    const result = await browser.post(VERIFY_URL, { user_code, oauth2_csrf: 'y'.repeat(43) })
    expect(result.status).toBe(403)
  })

  it('answers a body that is not a form with the code page, not a crash', async () => {
    const { provider } = setup()
    const result = await provider.handle({ method: 'POST', url: VERIFY_URL, headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(result.status).toBe(400)
    expectPageHeaders(result.headers)
  })

  it('answers a body over the request limits with 413 and the code page, as every endpoint does (RFC 9700 request limits)', async () => {
    const { provider } = setup()
    const browser = new Browser(provider)
    const fields = hiddenFields((await browser.get(VERIFY_URL)).body)
    const result = await browser.post(VERIFY_URL, { ...fields, user_code: 'BBBB-BBBB', padding: 'x'.repeat(70_000) })
    expect(result.status).toBe(413)
    expectPageHeaders(result.headers)
    expect(result.body).toContain('Connect a device')
  })

  it('refuses other methods with 405', async () => {
    const { provider } = setup()
    const result = await provider.handle({ method: 'PUT', url: VERIFY_URL, headers: {} })
    expect(result.status).toBe(405)
    expect(result.headers['allow']).toBe('GET, POST')
  })

  it('refuses an unknown code and shows the form again', async () => {
    const { provider } = setup()
    await startDevice(provider)
    const result = await enterCode(new Browser(provider), 'BCDF-GHJK')
    expect(result.status).toBe(400)
    expectPageHeaders(result.headers)
    expect(result.body).toContain('not valid')
    expect(result.body).toContain('name="user_code"')
  })

  it('compares codes case-insensitively, without the dash (RFC 8628 §6.1)', async () => {
    const { provider } = setup()
    const variants = (code: string) => [code.toLowerCase(), code.replace('-', ''), ` ${code.slice(0, 4)} ${code.slice(5).toLowerCase()} `]
    for (const make of [0, 1, 2]) {
      const { user_code } = await startDevice(provider)
      const result = await enterCode(new Browser(provider), variants(user_code)[make]!)
      expect(result.status).toBe(200)
      expect(result.body).toContain('name="password"')
    }
  })

  it('refuses an expired code', async () => {
    const { provider, clock } = setup()
    const { user_code, expires_in } = await startDevice(provider)
    clock.advance(expires_in * 1000)
    expect((await enterCode(new Browser(provider), user_code)).status).toBe(400)
  })
})

describe('RFC 8628 §3.3 user interaction: sign-in and consent', () => {
  it('signs the user in and asks for consent with the client and scopes shown, escaped', async () => {
    const { provider } = setup()
    const { user_code } = await startDevice(provider, { client_id: 'tv', scope: 'profile' })
    const browser = new Browser(provider)
    const login = await enterCode(browser, user_code)
    expect(login.status).toBe(200)
    expectPageHeaders(login.headers)
    expect(hiddenFields(login.body)).toMatchObject({ oauth2_step: 'login', user_code: user_code.replace('-', '') })
    const wrong = await signIn(browser, login, 'alice', 'nope')
    expect(wrong.status).toBe(401)
    const consent = await signIn(browser, wrong)
    expect(consent.status).toBe(200)
    expect(consent.body).toContain('Living &lt;Room&gt; TV')
    expect(consent.body).toContain('Read your &lt;profile&gt;')
    expect(consent.body).not.toContain('<Room>')
  })

  it('records the approval and shows the done page', async () => {
    const { provider } = setup()
    const { user_code, device_code } = await startDevice(provider)
    const done = await approve(provider, user_code)
    expect(done.status).toBe(200)
    expectPageHeaders(done.headers)
    expect(done.body).toContain('Device connected')
    expect(done.body).toContain('Living &lt;Room&gt; TV')
    expect((await poll(provider, device_code)).status).toBe(200)
  })

  it('records the denial', async () => {
    const { provider } = setup()
    const { user_code, device_code } = await startDevice(provider)
    const done = await approve(provider, user_code, 'deny')
    expect(done.body).toContain('Access denied')
    expect((await poll(provider, device_code)).json['error']).toBe('access_denied')
  })

  it('accepts a code once: after the decision it is refused', async () => {
    const { provider } = setup()
    const { user_code } = await startDevice(provider)
    await approve(provider, user_code)
    expect((await enterCode(new Browser(provider), user_code)).status).toBe(400)
  })

  it('records one decision when two are submitted for one code', async () => {
    const { provider } = setup()
    const { user_code, device_code } = await startDevice(provider)
    const one = new Browser(provider)
    const two = new Browser(provider)
    const consentOne = await signIn(one, await enterCode(one, user_code))
    const consentTwo = await signIn(two, await enterCode(two, user_code))
    const [a, b] = await Promise.all([decide(one, consentOne, 'allow'), decide(two, consentTwo, 'deny')])
    expect([a.status, b.status].sort()).toEqual([200, 400])
    const result = await poll(provider, device_code)
    expect(a.status === 200 ? result.status : result.json['error']).toBe(a.status === 200 ? 200 : 'access_denied')
  })

  it('binds the consent step to the code it started with', async () => {
    const { provider, clock } = setup()
    const first = await startDevice(provider)
    const second = await startDevice(provider)
    const browser = new Browser(provider)
    const consent = await signIn(browser, await enterCode(browser, first.user_code))
    const swapped = await browser.post(VERIFY_URL, { ...hiddenFields(consent.body), user_code: second.user_code, oauth2_decision: 'allow' })
    expect(swapped.status).not.toBe(200)
    clock.advance(5_000)
    expect((await poll(provider, second.device_code)).json['error']).toBe('authorization_pending')
  })

  it('skips the sign-in form with a session and the consent page with a consent callback', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.findSession(() => ({ sub: 'bob', authTime: 1_767_268_800 })).consent(() => true)))
    const { user_code, device_code } = await startDevice(provider)
    const done = await enterCode(new Browser(provider), user_code)
    expect(done.body).toContain('Device connected')
    expect((await poll(provider, device_code)).status).toBe(200)
  })

  it('uses the custom renderers for the code and done pages, with the security headers kept', async () => {
    const { provider } = setup((b) =>
      b.verificationRoute((r) =>
        r
          .consent(() => true)
          .setCodePageRenderer((ctx) => `<form method="post" action="${ctx.formAction}">${ctx.hiddenFields}<input name="${ctx.userCodeField}" value="${ctx.userCode}">custom</form>`)
          .setDonePageRenderer((ctx) => (ctx.approved ? 'custom done' : 'custom denied')),
      ),
    )
    const { user_code } = await startDevice(provider)
    const browser = new Browser(provider)
    const page = await browser.get(VERIFY_URL)
    expect(page.body).toContain('custom</form>')
    expectPageHeaders(page.headers)
    const login = await browser.post(VERIFY_URL, { ...hiddenFields(page.body), user_code })
    const done = await signIn(browser, login)
    expect(done.body).toBe('custom done')
    expectPageHeaders(done.headers)
  })

  it('reports a page without any sign-in callback as a configuration error', async () => {
    const onError = vi.fn()
    const unconfigured = OAuth2DeviceAuthorizationBuilder.create().setIssuer(ISSUER).addClientAuthenticationMethod('none').onError(onError).build()
    const { user_code } = await startDevice(unconfigured)
    const result = await enterCode(new Browser(unconfigured), user_code)
    expect(result.status).toBe(500)
    expect(String(onError.mock.calls[0]![0])).toMatch(/authenticateUser/)
  })
})

describe('RFC 8628 §3.3 verificationRoute configuration errors', () => {
  it('refuses a sign-in field name the page uses itself (user_code, oauth2_...), and a callback that is no function', () => {
    const route = (configure: (r: DeviceVerificationRoute) => unknown) => () => OAuth2DeviceAuthorizationBuilder.create().verificationRoute(configure)
    expect(route((r) => r.setUsernameField('user_code'))).toThrow(new TypeError('setUsernameField: "user_code" is the name of the page\'s own user code field.'))
    expect(route((r) => r.setPasswordField('oauth2_step'))).toThrow(/^setPasswordField: "oauth2_step" must be 1 to 64 letters/)
    expect(route((r) => r.setUsernameField('email').setPasswordField('pin'))).not.toThrow()
    expect(route((r) => r.findSession(null as never))).toThrow(new TypeError('findSession(fn) needs a function.'))
    expect(route((r) => r.setLoginRenderer('page' as never))).toThrow(new TypeError('setLoginRenderer(fn) needs a function.'))
  })
})

describe('RFC 8628 §5.1 user code brute forcing', () => {
  it('limits code submissions per client address, then answers 429 even for a valid code', async () => {
    const { provider, clock } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perClientAddress: 3, windowSeconds: 600 })))
    const { user_code } = await startDevice(provider)
    const attacker = new Browser(provider, '203.0.113.7')
    for (const guess of ['BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD']) expect((await enterCode(attacker, guess)).status).toBe(400)
    const blocked = await enterCode(attacker, user_code)
    expect(blocked.status).toBe(429)
    expect(blocked.body).not.toContain('name="password"')
    // Another address is not affected.
    expect((await enterCode(new Browser(provider, '198.51.100.1'), user_code)).status).toBe(200)
    // The window ends.
    clock.advance(600_000)
    const { user_code: fresh } = await startDevice(provider)
    expect((await enterCode(attacker, fresh)).status).toBe(200)
  })

  it('counts a wrong password under a valid code against the address', async () => {
    // One code submission and two wrong passwords use up a limit of 3.
    const { provider } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perClientAddress: 3 })))
    const { user_code } = await startDevice(provider)
    const browser = new Browser(provider, '203.0.113.8')
    const login = await enterCode(browser, user_code)
    const wrong = await signIn(browser, login, 'alice', 'x')
    expect(wrong.status).toBe(401)
    expect((await signIn(browser, wrong, 'alice', 'y')).status).toBe(401)
    expect((await signIn(browser, wrong)).status).toBe(429)
  })

  it('burns a code submitted too often: the device gets access_denied', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perUserCode: 3 })))
    const { user_code, device_code } = await startDevice(provider)
    const browser = new Browser(provider)
    const login = await enterCode(browser, user_code)
    await signIn(browser, login, 'alice', 'a')
    await signIn(browser, login, 'alice', 'b')
    const burnt = await signIn(browser, login)
    expect(burnt.status).toBe(429)
    expect((await poll(provider, device_code)).json['error']).toBe('access_denied')
    expect((await enterCode(new Browser(provider), user_code)).status).toBe(400)
  })

  it('counts a guess posted as a later step (sign-in, consent, any step field) against the address', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perClientAddress: 3 })))
    const { user_code } = await startDevice(provider)
    const attacker = new Browser(provider, '203.0.113.10')
    const fields = hiddenFields((await attacker.get(VERIFY_URL)).body)
    for (const [step, guess] of [
      ['login', 'BBBB-BBBB'],
      ['consent', 'CCCC-CCCC'],
      ['', 'DDDD-DDDD'],
    ] as const) {
      expect((await attacker.post(VERIFY_URL, { ...fields, oauth2_step: step, user_code: guess })).status).toBe(400)
    }
    // The limit is spent: not even the live code, posted as a sign-in, gets an answer that tells a hit from a miss.
    const blocked = await attacker.post(VERIFY_URL, { ...fields, oauth2_step: 'login', user_code, username: 'alice', password: 'x' })
    expect(blocked.status).toBe(429)
    expect(blocked.body).not.toContain('Living &lt;Room&gt; TV')
  })

  it('lets a browser that passed the code step sign in and consent without spending more of the limit', async () => {
    // A limit of 2: the code step takes one; sign-in and consent for that code take none.
    const { provider } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perClientAddress: 2 })))
    const { user_code, device_code } = await startDevice(provider)
    const done = await approve(provider, user_code, 'allow', new Browser(provider, '203.0.113.11'))
    expect(done.status).toBe(200)
    expect((await poll(provider, device_code)).status).toBe(200)
    // The pass is this browser's: another browser at the same address, posting the same code as a
    // sign-in, is counted (the second of two), then refused.
    const { user_code: next } = await startDevice(provider)
    const other = new Browser(provider, '203.0.113.11')
    const fields = hiddenFields((await other.get(VERIFY_URL)).body)
    const signedIn = await other.post(VERIFY_URL, { ...fields, oauth2_step: 'login', user_code: next, username: 'alice', password: 'wonderland' })
    expect(signedIn.status).toBe(200)
    expect((await other.post(VERIFY_URL, { ...fields, oauth2_step: 'login', user_code: 'BBBB-BBBB' })).status).toBe(429)
  })

  it('holds the per-address limit under concurrent guesses', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perClientAddress: 5 })))
    const browser = new Browser(provider, '203.0.113.9')
    const page = await browser.get(VERIFY_URL)
    const fields = hiddenFields(page.body)
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => browser.post(VERIFY_URL, { ...fields, user_code: `BBBB-BB${'BCDFGHJKLMNPQRSTVWXZ'[i]!}B` })))
    // Each submission is counted before its code is looked up: a burst gets exactly `limit` answers.
    expect(results.filter((r) => r.status === 400)).toHaveLength(5)
    expect(results.filter((r) => r.status === 429)).toHaveLength(15)
  })
})

describe('RFC 8628 §3.2 verification_uri', () => {
  it('announces setVerificationUri and keeps serving the page at its path', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.setVerificationUri('https://example.com/device')))
    const body = await startDevice(provider)
    expect(body.verification_uri).toBe('https://example.com/device')
    expect(body.verification_uri_complete).toBe(`https://example.com/device?user_code=${body.user_code}`)
    expect(provider.hasRoute('/oauth2/device')).toBe(true)
  })

  it('serves the page at the path of setPath', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.setPath('/activate')))
    const body = await startDevice(provider)
    expect(body.verification_uri).toBe(`${ISSUER}/activate`)
    expect((await provider.handle({ method: 'GET', url: body.verification_uri_complete, headers: {} })).status).toBe(200)
  })

  it('refuses a verification URI that is not https or has a query', () => {
    expect(() => OAuth2DeviceAuthorizationBuilder.create().verificationRoute((r) => r.setVerificationUri('http://example.com/d'))).toThrow(/https/)
    expect(() => OAuth2DeviceAuthorizationBuilder.create().verificationRoute((r) => r.setVerificationUri('https://example.com/d?x=1'))).toThrow(/query/)
    expect(() => OAuth2DeviceAuthorizationBuilder.create().verificationRoute((r) => r.limitAttempts({ perUserCode: 0 }))).toThrow(/perUserCode/)
  })

  it('never answers the page with JSON errors for user mistakes', async () => {
    const { provider } = setup()
    const result = await provider.handle({ method: 'POST', url: VERIFY_URL, headers: { 'content-type': FORM }, body: 'user_code=a&user_code=b' })
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(() => json(result)).toThrow()
  })
})

describe('RFC 8628 device endpoints under random and mutated requests', () => {
  it('never answer 5xx: JSON RFC 6749 §5.2 errors at the device endpoint, HTML pages at the verification page', async () => {
    const { provider } = setup((b) => b.verificationRoute((r) => r.limitAttempts({ perClientAddress: 1000 })))
    const live = await startDevice(provider)
    const csrf = 'c'.repeat(43)
    const names = fc.constantFrom('user_code', 'client_id', 'scope', 'oauth2_csrf', 'oauth2_step', 'oauth2_ticket', 'oauth2_decision', 'username', 'password')
    const values = fc.oneof(
      fc.constantFrom(live.user_code, live.user_code.toLowerCase(), 'tv', 'profile', csrf, 'login', 'consent', 'allow', 'deny', 'alice', 'wonderland', 'a.b.c', ''),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    const request: fc.Arbitrary<OAuth2Request> = fc.record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'post'),
      url: fc.oneof(
        fc.constantFrom(VERIFY_URL, `${ISSUER}/oauth2/device_authorization`),
        fc.string({ maxLength: 30 }).map((q) => `${VERIFY_URL}?user_code=${encodeURIComponent(q)}`),
      ),
      headers: fc.record(
        { 'content-type': fc.constantFrom(FORM, 'text/plain', ''), cookie: fc.constantFrom(`__Host-oauth2_csrf=${csrf}`, 'x=y', '') },
        { requiredKeys: [] },
      ),
      body: fc.oneof(
        fc.array(fc.tuple(names, values), { maxLength: 8 }).map((pairs) => new URLSearchParams(pairs).toString()),
        fc.string({ maxLength: 200 }),
        fc.constantFrom('%', 'user_code=a&user_code=b', null),
      ),
      clientAddress: fc.constantFrom('203.0.113.1', undefined),
    })
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const result = await provider.handle(req)
        expect(result.status).toBeLessThan(500)
        const pathname = new URL(req.url).pathname
        if (pathname === '/oauth2/device' && result.status !== 405) {
          expect(result.headers['content-type']).toBe('text/html; charset=utf-8')
          expect(result.headers['x-frame-options']).toBe('DENY')
          expect(result.body).not.toMatch(/<script>(?!document)/)
        } else if (result.status !== 200) {
          expect(Object.keys(json(result)).every((k) => ['error', 'error_description', 'error_uri'].includes(k))).toBe(true)
        }
      }),
      { numRuns: 500 },
    )
  })
})
