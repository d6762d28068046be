import type { OAuth2Provider, OAuth2Request, OAuth2Result } from '@x/oauth2-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contractCases, toContractRequest, type ContractRequest } from './cases.js'
import { createTestProvider } from './provider.js'

/** A response as bytes on the wire. */
export interface WireResponse {
  status: number
  headers: Headers
  body: Uint8Array
}

/** An adapter under test: it sends a contract request through a real framework instance. */
export interface ContractTarget {
  send(request: ContractRequest): Promise<WireResponse>
  close?(): Promise<void> | void
}

/** Mounts the adapter under test on a real framework instance, serving `provider` (issuer path `basePath`). */
export type MountAdapter = (provider: OAuth2Provider, basePath: string) => Promise<ContractTarget> | ContractTarget

/**
 * Registers the suite's adapter: mounted before the suite's tests, closed after them. Returns the
 * mounted target (call it inside a test).
 */
export function useMountedTarget(mount: MountAdapter, provider: OAuth2Provider, basePath: string): () => ContractTarget {
  let target: ContractTarget | undefined
  beforeAll(async () => {
    target = await mount(provider, basePath)
  })
  afterAll(async () => {
    await target?.close?.()
  })
  return () => {
    if (target === undefined) throw new Error('The adapter is mounted before the suite runs; call the target inside a test.')
    return target
  }
}

/**
 * A contract target over anything that answers a Web `Request` with a `Response`: `fetch` to a
 * served URL (a real socket), or Hono's `app.request()`.
 */
export function responseTarget(fetchPath: (path: string, init: RequestInit) => Promise<Response> | Response, close?: () => Promise<void>): ContractTarget {
  return {
    async send(request) {
      const response = await fetchPath(request.path, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
      })
      return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) }
    },
    ...(close !== undefined ? { close } : {}),
  }
}

/** A suite title, naming the issuer path when there is one. */
export function suiteTitle(title: string, basePath: string): string {
  return basePath === '' ? title : `${title} (issuer path ${basePath})`
}

/** The headers whose values must be identical between the core and an adapter. */
export const RELEVANT_HEADERS = ['content-type', 'cache-control', 'pragma', 'www-authenticate', 'allow'] as const

/**
 * The body the framework's own not-found handler sends in a contract test app, so a pass-through
 * case can tell "the framework answered" from "the adapter answered 404".
 */
export const PASS_THROUGH_BODY = 'not handled by the oauth2 adapter'

/** The core's request for a contract request: the body decoded as UTF-8, as every adapter does. */
export function toOAuth2Request(request: ContractRequest): OAuth2Request {
  return {
    method: request.method,
    url: request.path,
    headers: { ...request.headers },
    ...(request.body !== undefined ? { body: new TextDecoder().decode(request.body) } : {}),
  }
}

/** A core result as wire bytes. */
export function toWireResponse(result: OAuth2Result): WireResponse {
  return { status: result.status, headers: new Headers(result.headers), body: new TextEncoder().encode(result.body) }
}

/** Options of {@link defineContractSuite}. */
export interface ContractSuiteOptions {
  /** The issuer's path; the adapter is mounted so that its routes live under it. */
  basePath?: string
  /** Names of cases this mounting cannot serve, each documented where it is used. */
  skip?: readonly string[]
}

/**
 * Defines the contract suite for one adapter: every case of {@link contractCases} goes through
 * the core and through the adapter, and both must give the same status, the same
 * {@link RELEVANT_HEADERS} and byte-identical bodies. Paths the provider does not serve must reach
 * the framework, whose not-found handler answers 404 with {@link PASS_THROUGH_BODY}.
 */
export function defineContractSuite(adapter: string, mount: MountAdapter, options: ContractSuiteOptions = {}): void {
  const basePath = options.basePath ?? ''
  describe(suiteTitle(`contract: ${adapter} answers like the core`, basePath), () => {
    const { provider } = createTestProvider({ basePath })
    const target = useMountedTarget(mount, provider, basePath)

    const cases = contractCases.filter((testCase) => !(options.skip ?? []).includes(testCase.name))
    it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_, testCase) => {
      const request = toContractRequest(testCase, basePath)
      const core = toWireResponse(await provider.handle(toOAuth2Request(request)))
      const wire = await target().send(request)
      expect(core.status).toBe(testCase.status)
      if (testCase.passThrough === true) {
        expect(core.body).toEqual(new Uint8Array())
        expect(wire.status).toBe(404)
        expect(new TextDecoder().decode(wire.body)).toBe(PASS_THROUGH_BODY)
        return
      }
      expect(wire.status).toBe(core.status)
      for (const name of RELEVANT_HEADERS) expect([name, wire.headers.get(name)]).toEqual([name, core.headers.get(name)])
      expect(new TextDecoder().decode(wire.body)).toBe(new TextDecoder().decode(core.body))
      expect(wire.body).toEqual(core.body)
    })
  })
}
