import { createHash, randomBytes } from 'node:crypto'
import type { ClientMetadata } from '@x/oauth2-core'
import { DEVICE_CODE_GRANT, type DemoConfig } from './config.js'

/** The demo's paths, relative to the issuer's path. */
export interface DemoPaths {
  /** The issuer's path without a trailing slash (`''` for `http://localhost:3000`). */
  base: string
  home: string
  callback: string
  me: string
}

/**
 * What the banner and the pages need to show how to try each flow: the URLs, the client chosen for
 * each flow, and a ready PKCE pair (RFC 7636) so the authorization URL can be opened as printed and
 * its code exchanged with a copy-pasted `curl`.
 */
export interface Walkthrough {
  issuer: string
  paths: DemoPaths
  codeClient: ClientMetadata | undefined
  deviceClient: ClientMetadata | undefined
  serviceClient: ClientMetadata | undefined
  /** A confidential client, to call the introspection endpoint (RFC 7662 §2.1). */
  introspectionClient: ClientMetadata | undefined
  redirectUri: string | undefined
  state: string
  nonce: string
  codeVerifier: string
  codeChallenge: string
  scope: string
  authorizationUrl: string | undefined
}

/** Picks a client for each flow and prepares the sample authorization request. */
export function createWalkthrough(issuer: string, config: DemoConfig): Walkthrough {
  const base = new URL(issuer).pathname.replace(/\/$/, '')
  const paths: DemoPaths = { base, home: `${base}/`, callback: `${base}/callback`, me: `${base}/api/me` }
  const confidential = (client: ClientMetadata) => client.token_endpoint_auth_method !== 'none' && curlAuth(client) !== undefined
  const byGrant = (grant: string) => config.clients.filter((client) => (client.grant_types ?? ['authorization_code']).includes(grant))
  // A confidential code client, when there is one: it can also refresh, introspect and revoke with curl.
  const codeClients = byGrant('authorization_code').filter((client) => (client.redirect_uris?.length ?? 0) > 0)
  const codeClient = codeClients.find(confidential) ?? codeClients.find((client) => curlAuth(client) !== undefined) ?? codeClients[0]
  const serviceClients = byGrant('client_credentials')
  const deviceClients = byGrant(DEVICE_CODE_GRANT)
  const redirectUri = codeClient?.redirect_uris?.find((uri) => uri === `${issuer.replace(/\/$/, '')}/callback`) ?? codeClient?.redirect_uris?.[0]
  const codeVerifier = randomBytes(32).toString('base64url')
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url')
  const state = randomBytes(12).toString('base64url')
  const nonce = randomBytes(12).toString('base64url')
  const scope = offered(codeClient, 'openid profile email offline_access')
  let authorizationUrl: string | undefined
  if (codeClient !== undefined && redirectUri !== undefined) {
    const url = new URL(`${issuer.replace(/\/$/, '')}/oauth2/authorize`)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: codeClient.client_id,
      redirect_uri: redirectUri,
      ...(scope !== '' ? { scope } : {}),
      state,
      nonce,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
    }).toString()
    authorizationUrl = url.href
  }
  return {
    issuer,
    paths,
    codeClient,
    deviceClient: deviceClients.find((client) => curlAuth(client) !== undefined) ?? deviceClients[0],
    serviceClient: serviceClients.find((client) => curlAuth(client) !== undefined) ?? serviceClients[0],
    introspectionClient: codeClient !== undefined && confidential(codeClient) ? codeClient : config.clients.find(confidential),
    redirectUri,
    state,
    nonce,
    codeVerifier,
    codeChallenge,
    scope,
    authorizationUrl,
  }
}

/**
 * The client authentication a `curl` command can carry (RFC 6749 §2.3.1 Basic or form fields, or
 * the public client's `client_id`), or `undefined` for the JWT methods, which need a signed assertion.
 */
export function curlAuth(client: ClientMetadata): string | undefined {
  const id = client.client_id
  switch (client.token_endpoint_auth_method ?? 'client_secret_basic') {
    case 'none':
      return `-d client_id=${shellQuote(id)}`
    case 'client_secret_basic':
      // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding; curl -u does not do it.
      return `-u ${shellQuote(`${formEncode(id)}:${formEncode(client.client_secret ?? '')}`)}`
    case 'client_secret_post':
      return `-d client_id=${shellQuote(id)} -d client_secret=${shellQuote(client.client_secret ?? '')}`
    default:
      return undefined
  }
}

/**
 * The scopes of `wanted` the client registered (all of `wanted` when it registered none), else
 * everything it registered: a request never asks for a scope the client may not have.
 */
export function offered(client: ClientMetadata | undefined, wanted: string): string {
  if (client?.scope === undefined) return wanted
  const registered = new Set(client.scope.split(' '))
  const scopes = wanted.split(' ').filter((scope) => registered.has(scope))
  return scopes.length > 0 ? scopes.join(' ') : client.scope
}

/** A word for a POSIX shell: as is when it is safe, else single-quoted. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}
