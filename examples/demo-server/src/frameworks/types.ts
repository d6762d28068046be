import type { RequestListener } from 'node:http'
import type { OAuth2Provider, OAuth2Result, ValidAccessToken } from '@x/oauth2-core'
import type { DemoPaths } from '../walkthrough.js'

/** The frameworks the demo runs on: the same server on each adapter. */
export const FRAMEWORKS = ['express', 'fastify', 'hono'] as const

/** One of {@link FRAMEWORKS}. */
export type Framework = (typeof FRAMEWORKS)[number]

/** What every framework mounts: the provider, the demo's pages, and the protected `GET /api/me`. */
export interface DemoRoutes {
  provider: OAuth2Provider
  paths: DemoPaths
  home(): OAuth2Result
  callback(query: URLSearchParams): OAuth2Result
}

/** A framework's app as a Node request listener, and how to shut it down. */
export interface DemoApp {
  listener: RequestListener
  close(): Promise<void>
}

/**
 * The body of `GET /api/me`: the verified access token's claims (RFC 9068 §2.2 for the demo's JWT
 * access tokens: `iss`, `sub`, `aud`, `client_id`, `scope`, `exp`, `iat`, `jti`).
 */
export function meBody(token: ValidAccessToken): Record<string, unknown> {
  return token.claims
}
