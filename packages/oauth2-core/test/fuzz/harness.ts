/**
 * The fuzzing harness (docs/security.md, "Fuzzing"): one provider with every endpoint of the core,
 * a store that records what each request changes, live credentials to mutate, hostile values, and
 * the properties every response must have. Each `test/fuzz/*.test.ts` file drives one endpoint
 * family through `provider.handle()` with fast-check.
 *
 * Runs: FUZZ_RUNS scales every property (default 1), FUZZ_SEED replays one (fast-check prints the
 * seed and path of a failure).
 */
import fc from 'fast-check'
import { base64url, SignJWT } from 'jose'
import { expect } from 'vitest'
import {
  ClientSecretJwt,
  MemoryStore,
  MultipleFlowsBuilder,
  OAuth2ClientCredentialsBuilder,
  OAuth2DeviceAuthorizationBuilder,
  OAuth2ErrorCode,
  OIDCAuthorizationCodeBuilder,
  PrivateKeyJwt,
  type ClientMetadata,
  type OAuth2Provider,
  type OAuth2Request,
  type OAuth2Result,
  type OAuth2Store,
  type RequestLimits,
  type StoreKind,
  type StoredEntry,
} from '@x/oauth2-core'
import { authorize, cookieOf, hiddenFields, pkcePair, REDIRECT_URI, submit } from '../fixtures/authorization.js'
import { approve, Browser, DEVICE_GRANT, DEVICE_URL, startDevice, VERIFY_URL } from '../fixtures/device-flow.js'
import { clientKeyPair } from '../fixtures/keys.js'
import { basicAuth, FORM, ISSUER, json, testClock, TOKEN_URL } from '../fixtures/request.js'

export { DEVICE_GRANT, DEVICE_URL, FORM, ISSUER, REDIRECT_URI, TOKEN_URL, VERIFY_URL }
export const AUTHORIZE_URL = `${ISSUER}/oauth2/authorize`
export const USERINFO_URL = `${ISSUER}/oauth2/userinfo`
export const REVOKE_URL = `${ISSUER}/oauth2/revoke`
export const INTROSPECT_URL = `${ISSUER}/oauth2/introspect`
export const JWKS_URL = `${ISSUER}/oauth2/keys`

/** How many runs a property gets: `base` times FUZZ_RUNS. */
export function runs(base: number): number {
  const scale = Number(process.env['FUZZ_RUNS'] ?? '1')
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

/** The timeout of a fuzz test: generous, since a run's cost depends on what it generates, and scaled with FUZZ_RUNS. */
export function fuzzTimeout(baseMs = 60_000): number {
  return Math.round((baseMs * runs(1000)) / 1000)
}

/** fast-check parameters: the run count, and FUZZ_SEED when replaying a failure. */
export function fuzzParameters(base: number): fc.Parameters<unknown> {
  const seed = process.env['FUZZ_SEED']
  return { numRuns: runs(base), ...(seed !== undefined ? { seed: Number(seed) } : {}) }
}

// ---------------------------------------------------------------------------------------------
// The recording store

/** One store operation that may change what the store holds. */
export interface StoreCall {
  op: 'set' | 'setIfAbsent' | 'consume' | 'delete' | 'revokeGrant'
  kind: StoreKind | '*'
  id: string
  /** Whether the call changed the store (a `setIfAbsent` that lost, a second `consume`, did not). */
  effective: boolean
}

/**
 * A {@link MemoryStore} that records every operation that can change it, so a test can say what
 * one request changed. Reads are not recorded.
 */
export class RecordingStore implements OAuth2Store {
  readonly inner: MemoryStore
  calls: StoreCall[] = []

  readonly #hook: (operation: string) => void

  /** `hook` runs before every operation (`store.get`, `store.set`, ...): throw there to make the store fail. */
  constructor(now: () => number, hook: (operation: string) => void = () => {}) {
    this.inner = new MemoryStore({ now })
    this.#hook = hook
  }

  /** Live entries (expired ones not yet swept included). */
  get size(): number {
    return this.inner.size
  }

  /** Forgets the calls recorded so far; returns them. */
  take(): StoreCall[] {
    const calls = this.calls
    this.calls = []
    return calls
  }

  async set(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<void> {
    this.#hook('store.set')
    this.calls.push({ op: 'set', kind, id, effective: true })
    return this.inner.set(kind, id, entry, expiresAt)
  }

  async setIfAbsent(kind: StoreKind, id: string, entry: StoredEntry, expiresAt: number): Promise<boolean> {
    this.#hook('store.setIfAbsent')
    const saved = await this.inner.setIfAbsent(kind, id, entry, expiresAt)
    this.calls.push({ op: 'setIfAbsent', kind, id, effective: saved })
    return saved
  }

  async get(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    this.#hook('store.get')
    return this.inner.get(kind, id)
  }

  async consume(kind: StoreKind, id: string): Promise<StoredEntry | undefined> {
    this.#hook('store.consume')
    const before = await this.inner.consume(kind, id)
    this.calls.push({ op: 'consume', kind, id, effective: before !== undefined && before.consumedAt === undefined })
    return before
  }

  async delete(kind: StoreKind, id: string): Promise<void> {
    this.#hook('store.delete')
    const existed = (await this.inner.get(kind, id)) !== undefined
    this.calls.push({ op: 'delete', kind, id, effective: existed })
    return this.inner.delete(kind, id)
  }

  async revokeGrant(grantId: string): Promise<void> {
    this.#hook('store.revokeGrant')
    this.calls.push({ op: 'revokeGrant', kind: '*', id: grantId, effective: true })
    return this.inner.revokeGrant(grantId)
  }
}

/**
 * The changes a rejected request may still make, each because a rule requires it. Anything else a
 * rejected request changes in the store is a bug: hostile input must not be able to alter state.
 */
export const ALLOWED_REJECTION_CHANGES: ReadonlyArray<{ op: StoreCall['op']; kind: string; why: string }> = [
  { op: 'set', kind: 'rate_limit', why: 'RFC 8628 §3.5: a pending poll records when it came (slow_down); RFC 8628 §5.1: attempt counters' },
  { op: 'setIfAbsent', kind: 'rate_limit', why: 'RFC 8628 §5.1: each user-code attempt takes a slot of its counter' },
  { op: 'setIfAbsent', kind: 'replay', why: 'RFC 7523 §3: a verified client assertion spends its jti even if the grant then fails; a login ticket is single use' },
  { op: 'consume', kind: 'authorization_code', why: 'RFC 6749 §4.1.2: a presented code is spent by its first redemption attempt, successful or not' },
  { op: 'set', kind: 'revoked_grant', why: 'RFC 6749 §4.1.2, RFC 9700 §4.14.2: a reused code or refresh token revokes its grant' },
  { op: 'revokeGrant', kind: '*', why: 'RFC 6749 §4.1.2, RFC 9700 §4.14.2: a reused code or refresh token revokes its grant' },
  { op: 'consume', kind: 'user_code', why: 'RFC 8628 §5.1: a user code is burnt after too many attempts' },
  { op: 'set', kind: 'device_code', why: 'RFC 8628 §5.1: the device of a burnt user code is told access_denied' },
]

/** Asserts that a rejected request changed nothing but what {@link ALLOWED_REJECTION_CHANGES} allows. */
export function expectNoForbiddenChange(calls: readonly StoreCall[], context: string): void {
  const forbidden = calls.filter((call) => call.effective && !ALLOWED_REJECTION_CHANGES.some((a) => a.op === call.op && a.kind === call.kind))
  expect(forbidden, `a rejected request changed the store: ${context}`).toEqual([])
}

// ---------------------------------------------------------------------------------------------
// The provider

export const SECRET_JWT_SECRET = 'a-client-secret-of-more-than-32-bytes-for-HS256!'
export const CLIENT_KEY = await clientKeyPair('ES256', 'fuzz-client-key')

export const CLIENTS: Record<string, ClientMetadata> = {
  'web-app': {
    client_id: 'web-app',
    client_secret: 'web-app-secret',
    client_name: 'Web <App> "quoted"',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
  },
  'post-app': {
    client_id: 'post-app',
    client_secret: 'post-app-secret',
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  },
  'native-app': {
    client_id: 'native-app',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1/callback', REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
  },
  'jwt-app': {
    client_id: 'jwt-app',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [CLIENT_KEY.publicJwk] },
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    redirect_uris: [REDIRECT_URI],
  },
  'hmac-app': { client_id: 'hmac-app', client_secret: SECRET_JWT_SECRET, token_endpoint_auth_method: 'client_secret_jwt', grant_types: ['client_credentials'] },
  tv: { client_id: 'tv', token_endpoint_auth_method: 'none', grant_types: [DEVICE_GRANT, 'refresh_token'] },
  svc: { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], scope: 'read write' },
  rs: { client_id: 'rs', client_secret: 'rs-secret', grant_types: [] },
}

export const WEB_BASIC = basicAuth('web-app', 'web-app-secret')
export const SVC_BASIC = basicAuth('svc', 'svc-secret')
export const RS_BASIC = basicAuth('rs', 'rs-secret')

/** Callbacks of the provider; a throwing variant makes them fail on purpose. */
export interface FuzzCallbacks {
  /** Called at the start of every callback: throw here to make the callback throw. */
  hook?: (name: string) => void
  /** Request limits (`setRequestLimits`), when a test needs other than the defaults. */
  limits?: Partial<RequestLimits>
}

/** The provider every fuzz file drives: every endpoint of the core, on a frozen clock. */
export function createFuzzProvider(callbacks: FuzzCallbacks = {}) {
  const clock = testClock()
  const reported: unknown[] = []
  const hook = callbacks.hook ?? (() => {})
  const store = new RecordingStore(clock.now, hook)
  const authenticateUser = ({ username, password }: { username: string; password: string }) => {
    hook('authenticateUser')
    return username === 'alice' && password === 'wonderland' ? { sub: 'user-alice', amr: ['pwd'] } : null
  }
  const provider: OAuth2Provider = MultipleFlowsBuilder.create()
    .setIssuer(ISSUER)
    .setClock(clock.now)
    .setStore(store)
    .setSigningAlgorithm('ES256')
    .findClient((id) => {
      hook('findClient')
      return CLIENTS[id]
    })
    .onError((error) => reported.push(error))
    .setRequestLimits(callbacks.limits ?? {})
    .add(
      OIDCAuthorizationCodeBuilder.create()
        .addClientAuthenticationMethod('client_secret_basic')
        .addClientAuthenticationMethod('client_secret_post')
        .addClientAuthenticationMethod('none')
        .addClientAuthenticationMethod(new PrivateKeyJwt())
        .setScopes({ profile: 'Your <b>profile</b>', email: 'Your email', offline_access: 'Stay signed in' })
        .useAccessTokenJwks(true)
        .authorizationRoute((route) => route.authenticateUser(authenticateUser))
        .userInfo((sub) => {
          hook('userInfo')
          return { sub, name: 'Alice <script>alert(1)</script>', email: 'alice@example.com' }
        }),
    )
    .add(
      OAuth2ClientCredentialsBuilder.create()
        .addClientAuthenticationMethod('client_secret_basic')
        .addClientAuthenticationMethod('client_secret_post')
        .addClientAuthenticationMethod(new PrivateKeyJwt())
        .addClientAuthenticationMethod(new ClientSecretJwt())
        .setScopes({ read: 'Read', write: 'Write' })
        .useAccessTokenJwks(true),
    )
    .add(
      OAuth2DeviceAuthorizationBuilder.create()
        .addClientAuthenticationMethod('none')
        .setScopes({ profile: 'Your profile', offline_access: 'Stay signed in' })
        .verificationRoute((route) => route.authenticateUser(authenticateUser)),
    )
    .build()
  return { provider, store, clock, reported }
}

export type FuzzProvider = ReturnType<typeof createFuzzProvider>

// ---------------------------------------------------------------------------------------------
// Live credentials

/** Runs the browser part of the authorization code flow; returns a fresh code and its verifier. */
export async function freshCode(provider: OAuth2Provider, clientId = 'web-app', scope = 'openid profile offline_access') {
  const { verifier, challenge } = await pkcePair()
  const page = await authorize(provider, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    scope,
    state: 'fuzz-state',
    nonce: 'fuzz-nonce',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })
  const cookie = cookieOf(page)
  const consent = await submit(provider, { ...hiddenFields(page.body), username: 'alice', password: 'wonderland' }, cookie)
  const done = await submit(provider, { ...hiddenFields(consent.body), oauth2_decision: 'allow' }, cookie)
  const code = new URL(done.headers['location']!).searchParams.get('code')
  if (code === null) throw new Error(`no code: ${done.status} ${done.headers['location']}`)
  return { code, verifier, cookie, loginFields: hiddenFields(page.body), consentFields: hiddenFields(consent.body) }
}

/** The tokens of a fresh authorization (access, refresh and ID token). */
export async function freshTokens(provider: OAuth2Provider) {
  const { code, verifier } = await freshCode(provider)
  const result = await provider.handle({
    method: 'POST',
    url: TOKEN_URL,
    headers: { 'content-type': FORM, authorization: WEB_BASIC },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI }).toString(),
  })
  if (result.status !== 200) throw new Error(`token request failed: ${result.body}`)
  return json(result) as { access_token: string; refresh_token: string; id_token: string }
}

/** A client-credentials access token (JWT) of `svc`. */
export async function serviceToken(provider: OAuth2Provider): Promise<string> {
  const result = await provider.handle({
    method: 'POST',
    url: TOKEN_URL,
    headers: { 'content-type': FORM, authorization: SVC_BASIC },
    body: 'grant_type=client_credentials&scope=read',
  })
  if (result.status !== 200) throw new Error(`client_credentials failed: ${result.body}`)
  return (json(result) as { access_token: string }).access_token
}

/** A private_key_jwt assertion of `jwt-app` for the token endpoint, with a fresh jti. */
export async function clientAssertion(now: number, claims: Record<string, unknown> = {}, audience = TOKEN_URL): Promise<string> {
  return new SignJWT({ jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: CLIENT_KEY.kid })
    .setIssuer('jwt-app')
    .setSubject('jwt-app')
    .setAudience(audience)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(now / 1000) + 60)
    .sign(CLIENT_KEY.privateKey)
}

/** Live values of every kind, for the value pools of the arbitraries. */
export async function liveValues(target: FuzzProvider) {
  const { provider, clock } = target
  const tokens = await freshTokens(provider)
  const service = await serviceToken(provider)
  const code = await freshCode(provider)
  const device = await startDevice(provider)
  const approvedDevice = await startDevice(provider)
  await approve(provider, approvedDevice.user_code, 'allow', new Browser(provider, '198.51.100.9'))
  const assertion = await clientAssertion(clock.now())
  target.store.take()
  return { tokens, service, code, device, approvedDevice, assertion }
}

export type LiveValues = Awaited<ReturnType<typeof liveValues>>

// ---------------------------------------------------------------------------------------------
// Values and mutations

/** Values that break parsers, pages, logs and headers when handled carelessly. */
export const HOSTILE = [
  '',
  ' ',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  'javascript:alert(1)',
  '</textarea><svg onload=alert(1)>',
  '%',
  '%00',
  '%E0%A4%A',
  '\u0000',
  '\r\nset-cookie: x=y',
  '\uD800',
  '\uFEFF',
  '😀'.repeat(20),
  'a'.repeat(9000),
  ' '.repeat(300),
  'x '.repeat(400),
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  'null',
  'undefined',
  '[]',
  '{}',
  '-1',
  '1e309',
  'NaN',
  'https://attacker.example/cb',
  '//attacker.example',
  `${REDIRECT_URI}/../evil`,
  `${REDIRECT_URI}#frag`,
  `${REDIRECT_URI}?x=1`,
  'https://client.example.org/CB',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqd3QtYXBwIiwic3ViIjoiand0LWFwcCJ9.c2ln',
  'a.b.c',
  '....',
] as const

/** Markers of hostile values that must never reach a page unescaped. */
export const UNESCAPED_MARKERS = ['<script>alert(1)', '<img src=x', '<svg onload', '"><script'] as const

/** Small mutations of a live value: it must then be refused like any unknown value. */
export function mutate(value: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(value),
    fc.constant(value.slice(0, -1)),
    fc.constant(`${value}A`),
    fc.constant(value.toUpperCase()),
    fc.constant(` ${value}`),
    fc.constant(value.split('').reverse().join('')),
    fc.nat({ max: Math.max(0, value.length - 1) }).map((i) => `${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`),
    fc.constant(encodeURIComponent(value)),
  )
}

/** A value pool: live values (often mutated), hostile values, and random strings of every kind. */
export function valueArbitrary(live: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: live.length > 0 ? fc.constantFrom(...live).chain(mutate) : fc.constant('') },
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 2000 }) },
  )
}

/** One small change to a valid request's parameters. */
export type Edit =
  | { type: 'drop'; index: number }
  | { type: 'duplicate'; index: number }
  | { type: 'replace'; index: number; value: string }
  | { type: 'add'; name: string; value: string }

/** Up to three edits that break a valid set of parameters a little: drop, duplicate, replace, add. */
export function editsArbitrary(values: fc.Arbitrary<string>, names: fc.Arbitrary<string>): fc.Arbitrary<Edit[]> {
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ type: fc.constant('drop' as const), index: fc.nat() }),
    fc.record({ type: fc.constant('duplicate' as const), index: fc.nat() }),
    fc.record({ type: fc.constant('replace' as const), index: fc.nat(), value: values }),
    fc.record({ type: fc.constant('add' as const), name: names, value: values }),
  )
  return fc.array(edit, { minLength: 0, maxLength: 3 })
}

/** Applies edits to parameters (known only when the run starts: live values are made then). */
export function applyEdits(template: Record<string, string>, edits: readonly Edit[]): Array<[string, string]> {
  let pairs = Object.entries(template) as Array<[string, string]>
  for (const e of edits) {
    if (pairs.length === 0 && e.type !== 'add') continue
    if (e.type === 'drop') pairs.splice(e.index % pairs.length, 1)
    else if (e.type === 'duplicate') pairs.push(pairs[e.index % pairs.length]!)
    else if (e.type === 'replace') {
      const i = e.index % pairs.length
      pairs[i] = [pairs[i]![0], e.value]
    } else pairs = [...pairs, [e.name, e.value]]
  }
  return pairs
}

/** How the body is finally sent: the edited form as text or as URLSearchParams, or something else entirely. */
export const bodyShapeArbitrary: fc.Arbitrary<{ type: 'text' } | { type: 'params' } | { type: 'raw'; body: string | null | undefined }> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ type: 'text' as const }) },
  { weight: 3, arbitrary: fc.constant({ type: 'params' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('%', '%zz', 'a=%E0%A4%A', '&&&==&', '=', '=x', 'grant_type', 'a'.repeat(70_000), 'x=1&'.repeat(20_000), null, undefined),
      )
      .map((body) => ({ type: 'raw' as const, body })),
  },
)

/** The body of a request: the edited pairs in the chosen shape. */
export function toBody(pairs: Array<[string, string]>, shape: { type: 'text' } | { type: 'params' } | { type: 'raw'; body: string | null | undefined }) {
  if (shape.type === 'raw') return shape.body
  const params = new URLSearchParams(pairs)
  return shape.type === 'params' ? params : params.toString()
}

/** Authorization headers: the right ones, wrong ones, and broken Basic / Bearer credentials. */
export function authorizationArbitrary(valid: readonly string[]): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: valid.length > 0 ? fc.constantFrom(...valid) : fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        basicAuth('web-app', 'wrong'),
        basicAuth('nobody', 'x'),
        basicAuth('', 'x'),
        basicAuth('web-app', ''),
        'Basic',
        'Basic ',
        'Basic !!!',
        'Basic Og==',
        'Basic ' + btoa('no-colon'),
        'Basic ' + btoa('\xff\xfe:\xff'),
        'Basic ' + btoa('%zz:%zz'),
        'Basic ' + 'A'.repeat(10_000),
        'basic    ',
        'Bearer',
        'Bearer ',
        'Bearer a b',
        'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
        'Digest username="x"',
        ', , ,',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `Basic ${s}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  )
}

/** Content types: the form type in several spellings, wrong ones, and garbage. */
export const contentTypeArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 14, arbitrary: fc.constant(FORM) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      `${FORM}; charset=utf-8`,
      'APPLICATION/X-WWW-FORM-URLENCODED',
      `${FORM}, text/plain`,
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      '',
      ';',
      'application/x-www-form-urlencoded-evil',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
)

/** Methods: mostly the right one, sometimes any other, in any case. */
export function methodArbitrary(right: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.constant(right) },
    { weight: 2, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'post', 'get', '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  )
}

/** Extra headers: none usually; sometimes odd ones, repeated ones, or many. */
export const extraHeadersArbitrary: fc.Arbitrary<Record<string, string | string[]>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<Record<string, string | string[]>>(
      { authorization: [WEB_BASIC, SVC_BASIC] },
      { 'content-type': [FORM, 'text/plain'] },
      { cookie: '__Host-oauth2_csrf=' + 'c'.repeat(43) },
      { cookie: '__Host-oauth2_csrf=x; __Host-oauth2_csrf=y' },
      { 'x-forwarded-for': '1.2.3.4', host: 'attacker.example' },
      { 'content-length': '-1' },
      { 'transfer-encoding': 'chunked' },
    ),
  },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 5 }) },
)

/** Assembles a request's headers, leaving out what is undefined. */
export function headersOf(parts: { contentType?: string | undefined; authorization?: string | undefined; cookie?: string | undefined; extra?: Record<string, string | string[]> }) {
  const headers: Record<string, string | string[]> = { ...parts.extra }
  if (parts.contentType !== undefined) headers['content-type'] = parts.contentType
  if (parts.authorization !== undefined) headers['authorization'] = parts.authorization
  if (parts.cookie !== undefined) headers['cookie'] = parts.cookie
  return headers
}

// ---------------------------------------------------------------------------------------------
// Properties

const REGISTERED = new Set<string>(Object.values(OAuth2ErrorCode))
const NQSCHAR = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/
const ERROR_FIELDS = new Set(['error', 'error_description', 'error_uri'])

/** What kind of answer an endpoint gives. */
export type Surface = 'json' | 'html' | 'public'

/**
 * The properties of every response to a hostile request:
 * - never a 5xx;
 * - a JSON error is an RFC 6749 §5.2 object: `error` a registered code, `error_description` in
 *   NQSCHAR, nothing else; 401 carries a `WWW-Authenticate` challenge, 405 an `Allow` header;
 * - an HTML page can be neither framed nor cached, and shows no hostile value unescaped;
 * - a redirect goes only to a registered redirect URI, with `iss`, and a registered `error`;
 * - no stack trace or exception name ever leaves the server;
 * - a rejected request changes no state but what a rule requires ({@link ALLOWED_REJECTION_CHANGES}).
 */
export function expectSafeResponse(request: OAuth2Request, result: OAuth2Result, calls: readonly StoreCall[], surface: Surface): void {
  const context = `${request.method} ${request.url} -> ${result.status} ${result.body.slice(0, 200)}`
  expect(result.status, context).toBeGreaterThanOrEqual(200)
  expect(result.status, context).toBeLessThan(500)
  expect(result.body, context).not.toMatch(/\bat [\w.<>]+ \(|\.ts:\d+:\d+|TypeError|ReferenceError|RangeError|SyntaxError/)
  for (const [name, value] of Object.entries(result.headers)) {
    expect(name, context).toBe(name.toLowerCase())
    expect(value, context).not.toMatch(/[\r\n\0]/)
  }

  const contentType = result.headers['content-type'] ?? ''
  if (contentType.startsWith('text/html')) {
    expect(result.headers['x-frame-options'], context).toBe('DENY')
    expect(result.headers['content-security-policy'], context).toMatch(/frame-ancestors 'none'/)
    expect(result.headers['cache-control'], context).toBe('no-store')
    for (const marker of UNESCAPED_MARKERS) expect(result.body.includes(marker), `${context}: unescaped ${marker}`).toBe(false)
  } else if (result.body !== '' && result.status >= 400) {
    expect(contentType, context).toMatch(/^application\/json/)
    const body = JSON.parse(result.body) as Record<string, unknown>
    expect(typeof body['error'], context).toBe('string')
    expect(REGISTERED.has(body['error'] as string), `${context}: unregistered error code`).toBe(true)
    expect(Object.keys(body).every((key) => ERROR_FIELDS.has(key)), context).toBe(true)
    if (body['error_description'] !== undefined) expect(body['error_description'], context).toMatch(NQSCHAR)
    // RFC 6749 §5.1: credential endpoints never let an answer be cached, errors included.
    if (surface !== 'public') expect(result.headers['cache-control'], context).toBe('no-store')
  }
  // RFC 9110 §15.5.2 (a 401 carries a challenge), for the protocol endpoints; the sign-in page's
  // 401 after wrong credentials is an HTML form, kaapi's contract.
  if (result.status === 401 && !contentType.startsWith('text/html')) expect(result.headers['www-authenticate'], context).toMatch(/^(Basic|Bearer) realm="/)
  if (result.status === 405) expect(result.headers['allow'], context).toBeDefined()

  const location = result.headers['location']
  if (location !== undefined) {
    const registered = Object.values(CLIENTS).flatMap((c) => c.redirect_uris ?? [])
    expect(registered.some((uri) => location.startsWith(`${uri}?`)), `${context}: redirect to ${location}`).toBe(true)
    const params = new URL(location).searchParams
    expect(params.get('iss'), context).toBe(ISSUER)
    const error = params.get('error')
    if (error !== null) expect(REGISTERED.has(error), `${context}: unregistered error ${error}`).toBe(true)
  }

  const redirectedError = location !== undefined && new URL(location).searchParams.has('error')
  if (result.status >= 400 || redirectedError) expectNoForbiddenChange(calls, context)
  if (surface !== 'html' && contentType.startsWith('text/html')) {
    throw new Error(`${context}: a JSON endpoint answered with HTML`)
  }
}

/** Sends a request through the provider and checks {@link expectSafeResponse}. */
export async function handleSafely(target: FuzzProvider, request: OAuth2Request, surface: Surface): Promise<OAuth2Result> {
  target.store.take()
  const result = await target.provider.handle(request)
  expectSafeResponse(request, result, target.store.take(), surface)
  expect(target.reported, `onError was called for ${request.method} ${request.url}`).toEqual([])
  return result
}

/**
 * A compact JWS with each part re-encoded from its decoded bytes: two strings that differ only in
 * base64url's unused trailing bits (RFC 4648 §3.5) are the same token to every verifier.
 */
export function canonicalJws(token: string): string {
  try {
    return token
      .split('.')
      .map((part) => base64url.encode(base64url.decode(part)))
      .join('.')
  } catch {
    return token
  }
}
