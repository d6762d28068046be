import { MemoryStore, OAuth2ClientCredentialsBuilder, type ClientAuthMethodName, type OAuth2Provider } from '@x/oauth2-core'
import { getHeapSnapshot } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { codeFlowProvider, codeRequest, redirectParams, signInAndConsent, WEB_AUTH } from '../fixtures/authorization.js'
import { Browser, decide, deviceFlowProvider, enterCode, poll, signIn, startDevice } from '../fixtures/device-flow.js'
import { basicAuth, FORM, ISSUER, postToken, TOKEN_URL } from '../fixtures/request.js'

/**
 * CWE-316 (cleartext storage of sensitive information in memory): a token request carries the
 * client's secret (`client_secret_post` in the body, `client_secret_basic` in the header, RFC 6749
 * §2.3.1). Once the request is answered, no string in the heap may still hold it, other than the
 * registered secret itself. V8 cuts a `slice()` of 13 or more characters as a view on its whole
 * original: a client id (a UUID is 36 characters) or a scope token read from the request and kept
 * in the store kept the whole body or the decoded `id:secret`, in clear, as long as the token lived.
 *
 * Checked on a real heap snapshot (V8 collects garbage first): every string of the process.
 */
async function heapStrings(): Promise<string[]> {
  const chunks: string[] = []
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk))
  return (JSON.parse(chunks.join('')) as { strings: string[] }).strings
}

/** A secret made at run time, so the test's own source text does not hold it. */
function newSecret(): string {
  return `secret-${crypto.randomUUID()}`
}

interface Case {
  clientId: string
  secret: string
  method: ClientAuthMethodName
  /** The flow's declared scopes; none declared accepts any scope token. */
  scopes?: Record<string, string>
  scope: string
  /** No client lookup: the credentials go to the handler unverified (kaapi), which issues with `issueTokens`. */
  unverified?: boolean
  /** The handler passes the request's own `scope` string (not the checked tokens) to `issueTokens`. */
  rawScope?: boolean
}

function provider(c: Case): OAuth2Provider {
  let builder = OAuth2ClientCredentialsBuilder.create().setIssuer(ISSUER).addClientAuthenticationMethod(c.method)
  if (c.scopes !== undefined) builder = builder.setScopes(c.scopes)
  if (c.unverified === true) {
    builder = builder.setStore(new MemoryStore()).tokenRoute((route) => route.generateToken(({ issueTokens, scopes, scope }) => issueTokens({ scope: c.rawScope === true ? scope! : scopes })))
  } else {
    builder = builder.setStore(
      new MemoryStore({ clients: [{ client_id: c.clientId, client_secret: c.secret, token_endpoint_auth_method: c.method, grant_types: ['client_credentials'], scope: c.scope }] }),
    )
  }
  return builder.build()
}

/** Issues three tokens; nothing of the requests is kept by the caller. */
async function issue(server: OAuth2Provider, c: Case): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const post = c.method === 'client_secret_post'
    // Written as clients send it, `:` and `/` unescaped (the plain form the core splits in place).
    const body = `grant_type=client_credentials&scope=${c.scope.replaceAll(' ', '+')}${post ? `&client_id=${c.clientId}&client_secret=${c.secret}` : ''}`
    const headers: Record<string, string> = { 'content-type': FORM }
    if (!post) headers['authorization'] = basicAuth(c.clientId, c.secret)
    const result = await server.handle({ method: 'POST', url: TOKEN_URL, headers, body })
    expect(result.status, result.body).toBe(200)
  }
}

describe('CWE-316: no client secret stays in the heap once its request is answered (RFC 6749 §2.3.1 credentials)', () => {
  it('keeps no view on the request body or the Basic credentials in stored tokens, whatever the client id, scope or lookup', async () => {
    const uuid = () => crypto.randomUUID()
    const cases: Case[] = [
      // A 36-character client id, read from the decoded Basic credentials.
      { clientId: uuid(), secret: newSecret(), method: 'client_secret_basic', scopes: { read: 'r', write: 'w' }, scope: 'read write' },
      // The same, from the form body.
      { clientId: uuid(), secret: newSecret(), method: 'client_secret_post', scopes: { read: 'r', write: 'w' }, scope: 'read write' },
      // A long scope token from the form body, the flow declaring no scopes.
      { clientId: 'short', secret: newSecret(), method: 'client_secret_post', scope: 'https://api.example.com/orders.read' },
      // The same, declared.
      { clientId: 'short2', secret: newSecret(), method: 'client_secret_post', scopes: { 'https://api.example.com/orders.read': 'Orders' }, scope: 'https://api.example.com/orders.read' },
      // No client lookup: the handler gets the credentials and issues through issueTokens.
      { clientId: uuid(), secret: newSecret(), method: 'client_secret_post', scope: 'https://api.example.com/orders.read', unverified: true },
      { clientId: uuid(), secret: newSecret(), method: 'client_secret_basic', scope: 'https://api.example.com/orders.read', unverified: true },
      { clientId: 'short4', secret: newSecret(), method: 'client_secret_post', scope: 'https://api.example.com/orders.write', unverified: true, rawScope: true },
    ]
    const servers = cases.map(provider)
    for (const [i, c] of cases.entries()) await issue(servers[i]!, c)

    const strings = await heapStrings()
    // Every case's finding at once: which of them keep a string holding their secret.
    const label = (c: Case) => `${c.method}, client id of ${c.clientId.length} characters, scope ${c.scope}${c.scopes === undefined ? ' (none declared)' : ''}${c.unverified === true ? ', no lookup' : ''}${c.rawScope === true ? ', issueTokens({ scope: context.scope })' : ''}`
    const holding = cases.map((c) => [label(c), strings.filter((s) => s.includes(c.secret) && s !== c.secret).length])
    expect(holding).toEqual(cases.map((c) => [label(c), 0]))
    // The providers and their stores (the tokens) are still alive when the snapshot is taken.
    expect(servers).toHaveLength(cases.length)
  }, 60_000)

  it('keeps no view on the sign-in form in the grant when the sign-in callback answers the submitted username as sub', async () => {
    // The password of a user whose username the callback returns as it was submitted.
    const username = `alice.liddell.${crypto.randomUUID()}`
    const password = newSecret()
    const { provider: server } = codeFlowProvider({
      // Consent given by the callback: the user signed in by the form is the grant's (no consent page,
      // whose login ticket would hand over a copy).
      route: (route) =>
        route.authenticateUser((form) => (form.username === username && form.password === password ? { sub: form.username, amr: ['pwd'] } : null)).consent(() => true),
    })
    const { params, verifier } = await codeRequest(undefined, { scope: 'openid profile offline_access' })
    const redirect = await signInAndConsent(server, params, { username, password })
    const code = redirectParams(redirect).params['code']!
    const tokens = await postToken(server, { grant_type: 'authorization_code', code, redirect_uri: params['redirect_uri']!, code_verifier: verifier }, WEB_AUTH)
    expect(tokens.status, tokens.body).toBe(200)
    expect(typeof tokens.json['refresh_token']).toBe('string')

    const strings = await heapStrings()
    expect(strings.filter((s) => s.includes(password) && s !== password)).toEqual([])
  }, 60_000)

  it('keeps neither the client secret nor the password through the device flow (RFC 8628 §3.1, §3.3, §3.4)', async () => {
    const clientId = `tv-${crypto.randomUUID()}`
    const secret = newSecret()
    const username = `alice.liddell.${crypto.randomUUID()}`
    const password = newSecret()
    const client = { client_id: clientId, client_secret: secret, token_endpoint_auth_method: 'client_secret_basic', grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'] }
    // Looked up in a Map: a property lookup (`clients[id]`) would internalize the presented id and
    // so copy it, hiding what this test looks for.
    const registry = new Map([[clientId, client]])
    const { provider: server } = deviceFlowProvider(
      {},
      {
        configure: (b) =>
          b
            .findClient((id) => registry.get(id))
            .verificationRoute((r) => r.authenticateUser((form) => (form.username === username && form.password === password ? { sub: form.username } : null))),
      },
    )
    const auth = { authorization: basicAuth(clientId, secret) }
    const device = await startDevice(server, { scope: 'profile offline_access' }, auth)
    const browser = new Browser(server)
    const consent = await signIn(browser, await enterCode(browser, device.user_code), username, password)
    expect((await decide(browser, consent, 'allow')).status).toBe(200)
    const tokens = await poll(server, device.device_code, {}, auth)
    expect(tokens.status, tokens.body).toBe(200)

    const strings = await heapStrings()
    expect([secret, password].map((kept) => strings.filter((s) => s.includes(kept) && s !== kept).length)).toEqual([0, 0])
  }, 60_000)

  it('lets go of the last string a pattern matched (RegExp.input), a slice of the last request body', async () => {
    const c: Case = { clientId: 'short3', secret: newSecret(), method: 'client_secret_post', scope: 'https://api.example.com/orders.read' }
    await issue(provider(c), c)
    expect(RegExp.input).toBe('')
  })
})
