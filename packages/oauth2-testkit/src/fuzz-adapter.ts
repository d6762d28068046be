import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_BODY_LIMIT, type ContractRequest } from './cases.js'
import {
  PASS_THROUGH_BODY,
  RELEVANT_HEADERS,
  suiteTitle,
  toOAuth2Request,
  toWireResponse,
  useMountedTarget,
  type MountAdapter,
  type WireResponse,
} from './contract.js'
import { API_CLIENT, basicAuth, CONTRACT_CLIENT, createTestProvider } from './provider.js'
import { CONTRACT_BASIC, CONTRACT_GRANT, FORM } from './requests.js'

/** Options of {@link defineAdapterFuzzSuite}. */
export interface AdapterFuzzOptions {
  /** The issuer's path; the adapter is mounted so that its routes live under it. */
  basePath?: string
  /** Runs of the main property (default 300; FUZZ_RUNS scales it). */
  runs?: number
  /** Requests of the long run (default 3000; FUZZ_RUNS scales it). */
  longRun?: number
  /**
   * Forces a garbage collection before each heap reading, so the long run measures what is kept,
   * not what is waiting to be collected (the adapter tests pass Node's `gc`).
   */
  collectGarbage?: () => void
}

/** The parts of Node's `process` the suite reads (the testkit compiles with Web types only). */
declare const process: { env: Record<string, string | undefined>; memoryUsage(): { heapUsed: number } }

const API_BASIC = basicAuth(API_CLIENT.id, API_CLIENT.secret)
const NQSCHAR = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/
const REGISTERED = new Set([
  'invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope',
  'unsupported_token_type', 'invalid_token', 'insufficient_scope',
])

function scaled(base: number): number {
  const scale = Number(process.env['FUZZ_RUNS'] ?? '1')
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)))
}

const utf8 = (text: string) => new TextEncoder().encode(text)

/** What every adapter sends for a body over its cap (`bodyTooLargeResult()` of the core). */
const BODY_TOO_LARGE = '{"error":"invalid_request","error_description":"The request body is too large."}'

/** Paths: the provider's endpoints mostly, their near misses, and paths the framework must answer. */
function pathArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('/oauth2/token', '/oauth2/token', '/oauth2/token', '/oauth2/keys', '/oauth2/revoke', '/oauth2/introspect', '/.well-known/oauth-authorization-server') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '/oauth2/token?x=1', '/oauth2/token?grant_type=client_credentials', '/oauth2/token/', '/oauth2/Token', '/oauth2//token', '/oauth2/%74oken',
        '/oauth2/./token', '/x/../oauth2/token', '/oauth2/keys?a=%zz', '/not-oauth', '/', '/oauth2', '/oauth2/token;x', '/oauth2/token%00',
      ),
    },
    { weight: 1, arbitrary: fc.webSegment().map((segment) => `/oauth2/${segment}`) },
  )
}

/** Header values a client can really send: visible ASCII and spaces (no CR, LF or NUL). */
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 })

/** Form bodies: valid token requests, broken ones, and raw bytes of every kind. */
function bodyArbitrary(): fc.Arbitrary<Uint8Array<ArrayBuffer> | undefined> {
  const value = fc.oneof(
    fc.constantFrom('client_credentials', 'authorization_code', 'refresh_token', 'read', 'write', 'read write', 'admin', CONTRACT_CLIENT.id, 'x'),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
  )
  const name = fc.oneof(fc.constantFrom('grant_type', 'scope', 'client_id', 'client_secret', 'token', 'token_type_hint', 'code'), fc.string({ maxLength: 8 }))
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(fc.tuple(name, value), { maxLength: 6 }).map((pairs) => utf8(new URLSearchParams(pairs).toString())) },
    { weight: 2, arbitrary: fc.constantFrom('grant_type=client_credentials&scope=read', 'grant_type=client_credentials&grant_type=client_credentials', '%', '%zz=%E0%A4%A', '&&&', '=').map(utf8) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Uint8Array.from(bytes)) },
    { weight: 1, arbitrary: fc.constantFrom(DEFAULT_BODY_LIMIT - 1, DEFAULT_BODY_LIMIT + 1, 3 * DEFAULT_BODY_LIMIT).map((size) => utf8(`grant_type=client_credentials&pad=${'a'.repeat(size - 34)}`)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  )
}

/** Random wire requests, valid HTTP (what a client can actually send), hostile OAuth. */
export function wireRequestArbitrary(basePath: string): fc.Arbitrary<ContractRequest> {
  return fc
    .record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constant('POST') }, { weight: 3, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
      path: pathArbitrary(),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant(FORM) },
        { weight: 2, arbitrary: fc.constantFrom(undefined, `${FORM}; charset=UTF-8`, 'application/json', 'text/plain', 'multipart/form-data; boundary=x', `${FORM}, text/plain`, 'x', '') },
        { weight: 1, arbitrary: headerValue },
      ),
      authorization: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(CONTRACT_BASIC, API_BASIC) },
        { weight: 1, arbitrary: fc.constantFrom(undefined, 'Basic', 'Basic !!!', 'Basic Og==', `Basic ${btoa('a:b')}`, basicAuth(CONTRACT_CLIENT.id, 'wrong'), 'Bearer x', `Basic ${'A'.repeat(4000)}`) },
        { weight: 1, arbitrary: headerValue.map((v) => `Basic ${v}`) },
        { weight: 1, arbitrary: headerValue },
      ),
      extra: fc.dictionary(fc.constantFrom('x-custom', 'accept', 'cookie', 'x-forwarded-for', 'origin'), headerValue, { maxKeys: 3 }),
      body: bodyArbitrary(),
    })
    .map(({ method, path, contentType, authorization, extra, body }) => {
      const headers: Record<string, string> = { ...extra }
      if (contentType !== undefined) headers['content-type'] = contentType
      if (authorization !== undefined) headers['authorization'] = authorization
      // A GET or HEAD cannot carry a body through fetch or the Request constructor.
      const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD'
      // RFC 8414 §3: the metadata path puts the issuer's path after the well-known segment.
      return { method, path: path.startsWith('/.well-known') ? `${path}${basePath}` : `${basePath}${path}`, headers, ...(withBody ? { body } : {}) }
    })
}

/** Checks that an adapter's answer is a well-formed, non-5xx answer, and the core's answer when the provider routes the path. */
function expectSameAnswer(request: ContractRequest, core: WireResponse, wire: WireResponse): void {
  const text = new TextDecoder().decode(wire.body)
  const context = `${request.method} ${request.path} ${JSON.stringify(request.headers)} -> core ${core.status}, adapter ${wire.status} ${text.slice(0, 200)}`
  expect(wire.status, context).toBeLessThan(500)
  if (core.status === 404 && core.body.byteLength === 0) {
    // Not a provider path: the framework answers it its own way (its 404, or its 415 for a body it
    // cannot parse), never the adapter with an OAuth answer.
    expect(text === PASS_THROUGH_BODY || !isOAuthError(text), context).toBe(true)
    return
  }
  // Over the cap, an adapter answers 413 before the core sees the request (even where the core would
  // refuse the method): the same RFC 6749 §5.2 body as the core's own 413.
  if ((request.body?.byteLength ?? 0) > DEFAULT_BODY_LIMIT && wire.status === 413) {
    expect(text, context).toBe(BODY_TOO_LARGE)
    return
  }
  expect(wire.status, context).toBe(core.status)
  for (const name of RELEVANT_HEADERS) expect([name, wire.headers.get(name)], context).toEqual([name, core.headers.get(name)])
  if (request.method === 'HEAD') return
  // A success may carry a fresh token (random jti): compare its shape; every error must be byte-identical.
  if (core.status === 200) {
    if (core.body.byteLength > 0) expect(Object.keys(JSON.parse(text) as object).sort(), context).toEqual(Object.keys(JSON.parse(new TextDecoder().decode(core.body)) as object).sort())
    return
  }
  expect(text, context).toBe(new TextDecoder().decode(core.body))
  if (wire.body.byteLength > 0) {
    const error = JSON.parse(text) as Record<string, unknown>
    expect(REGISTERED.has(error['error'] as string), context).toBe(true)
    expect(Object.keys(error).every((k) => ['error', 'error_description', 'error_uri'].includes(k)), context).toBe(true)
    if (error['error_description'] !== undefined) expect(error['error_description'], context).toMatch(NQSCHAR)
  }
}

/** Whether a body is an RFC 6749 §5.2 error object with a registered code (what the core sends). */
function isOAuthError(text: string): boolean {
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    return typeof body === 'object' && body !== null && REGISTERED.has(body['error'] as string)
  } catch {
    return false
  }
}

/**
 * Fuzzes an adapter on a real framework instance (docs/security.md, "Fuzzing"): random and mutated
 * wire requests (methods, paths, headers, broken Basic credentials, wrong content types, raw and
 * oversized bodies) go through the core and through the adapter. The adapter must never answer
 * 5xx, must answer like the core wherever the provider routes the path (status, headers, error
 * bytes), must leave other paths to the framework, and must stay healthy: after a long run of bad
 * requests it still serves a valid one and its heap has not grown with them.
 */
export function defineAdapterFuzzSuite(adapter: string, mount: MountAdapter, options: AdapterFuzzOptions = {}): void {
  const basePath = options.basePath ?? ''
  describe(suiteTitle(`fuzz: ${adapter} under random wire requests`, basePath), () => {
    const { provider } = createTestProvider({ basePath })
    const target = useMountedTarget(mount, provider, basePath)

    it('never answers 5xx, and answers every request on a provider path exactly like the core', async () => {
      const seed = process.env['FUZZ_SEED']
      await fc.assert(
        fc.asyncProperty(wireRequestArbitrary(basePath), async (request) => {
          const core = toWireResponse(await provider.handle(toOAuth2Request(request)))
          const wire = await target().send(request)
          expectSameAnswer(request, core, wire)
        }),
        { numRuns: scaled(options.runs ?? 300), ...(seed !== undefined ? { seed: Number(seed) } : {}) },
      )
    }, 120_000)

    it('stays healthy over a long run of bad requests: bounded heap, and a valid request still works', async () => {
      const gc = options.collectGarbage ?? (() => {})
      const count = scaled(options.longRun ?? 3000)
      const bad = fc.sample(wireRequestArbitrary(basePath), { numRuns: 200, seed: 42 })
      const heap: number[] = []
      for (let i = 0; i < count; i++) {
        const response = await target().send(bad[i % bad.length]!)
        expect(response.status).toBeLessThan(500)
        if (i % Math.max(1, Math.floor(count / 6)) === 0) {
          gc()
          heap.push(process.memoryUsage().heapUsed)
        }
      }
      gc()
      heap.push(process.memoryUsage().heapUsed)
      // The heap may move with the framework's caches, not with the number of requests served.
      expect(heap.at(-1)! - heap[1]!, `heap MB: ${heap.map((h) => Math.round(h / 1048576)).join(' ')}`).toBeLessThan(64 * 1024 * 1024)
      const ok = await target().send({
        method: 'POST',
        path: `${basePath}/oauth2/token`,
        headers: { 'content-type': FORM, authorization: CONTRACT_BASIC },
        body: utf8(CONTRACT_GRANT),
      })
      expect(ok.status).toBe(200)
    }, 120_000)
  })
}
