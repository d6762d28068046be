import { readFile } from 'node:fs/promises'
import type { ClientAuthMethodName, ClientMetadata } from '@x/oauth2-core'
import * as v from 'valibot'

/** The grant types the demo serves, as RFC 7591 §2 `grant_types` values. */
export const DEMO_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] as const

/** The client authentication methods the demo accepts (RFC 7591 §2 `token_endpoint_auth_method`). */
export const DEMO_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'] as const satisfies readonly ClientAuthMethodName[]

/** The device flow's grant type (RFC 8628 §3.4). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

/**
 * A demo user: the sign-in form's `username` and `password`, the stable `sub`, and any OpenID
 * Connect standard claims (OIDC Core §5.1), which the UserInfo endpoint releases by scope.
 */
export interface DemoUser {
  username: string
  password: string
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  middle_name?: string
  nickname?: string
  preferred_username?: string
  profile?: string
  picture?: string
  website?: string
  email?: string
  email_verified?: boolean
  gender?: string
  birthdate?: string
  zoneinfo?: string
  locale?: string
  phone_number?: string
  phone_number_verified?: boolean
  address?: Record<string, string>
  updated_at?: number
}

/** What the demo serves: its clients (RFC 7591 metadata) and its users. `DEMO_CONFIG` replaces both. */
export interface DemoConfig {
  clients: ClientMetadata[]
  users: DemoUser[]
}

/** A `DEMO_CONFIG` file that cannot be used; the message says where and why. */
export class DemoConfigError extends Error {
  override readonly name = 'DemoConfigError'
}

/**
 * The demo's own clients and users, for an issuer: a public SPA / native client (PKCE), a
 * confidential web client, a service (client credentials) and a device (RFC 8628).
 */
export function defaultDemoConfig(issuer: string): DemoConfig {
  const callback = `${issuer.replace(/\/$/, '')}/callback`
  return {
    clients: [
      {
        client_id: 'demo-spa',
        client_name: 'Demo SPA (public, PKCE)',
        token_endpoint_auth_method: 'none',
        // RFC 8252 §7.3: a native app's loopback redirect matches on any port.
        redirect_uris: [callback, 'http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email offline_access api:read',
      },
      {
        client_id: 'demo-web',
        client_name: 'Demo Web App (confidential)',
        client_secret: 'demo-web-secret',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [callback],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        scope: 'openid profile email phone address offline_access api:read api:write',
      },
      {
        client_id: 'demo-service',
        client_name: 'Demo Service (client credentials)',
        client_secret: 'demo-service-secret',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'api:read api:write',
      },
      {
        client_id: 'demo-device',
        client_name: 'Demo TV (device flow)',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
        scope: 'openid profile offline_access api:read',
      },
    ],
    users: [
      {
        username: 'alice',
        password: 'wonderland',
        sub: 'user-alice',
        name: 'Alice Liddell',
        given_name: 'Alice',
        family_name: 'Liddell',
        preferred_username: 'alice',
        email: 'alice@example.org',
        email_verified: true,
        phone_number: '+44 20 7946 0000',
        phone_number_verified: false,
        locale: 'en-GB',
      },
      {
        username: 'bob',
        password: 'builder',
        sub: 'user-bob',
        name: 'Bob Builder',
        given_name: 'Bob',
        family_name: 'Builder',
        preferred_username: 'bob',
        email: 'bob@example.org',
        email_verified: false,
        address: { street_address: '1 Yard Lane', locality: 'Sunflower Valley', country: 'GB' },
      },
    ],
  }
}

const text = v.pipe(v.string('must be a string'), v.nonEmpty('must not be empty'))
const url = v.pipe(v.string(), v.url('must be an absolute URL'))
// RFC 6749 §3.3: scope tokens are printable ASCII without space, " or \.
const scopeString = v.pipe(v.string(), v.regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'must be space-separated scope tokens (RFC 6749 §3.3)'))

const redirectUri = v.pipe(
  url,
  v.check((uri) => !uri.includes('#'), 'must not have a fragment (RFC 6749 §3.1.2)'),
)

const jwks = v.object({ keys: v.array(v.looseObject({ kty: text })) })

/**
 * RFC 7591 §2 client metadata, as far as the demo uses it. `v.object` drops the fields it does not
 * list: RFC 7591 §2 says a server ignores the metadata it does not understand.
 */
const clientSchema = v.pipe(
  v.object({
    client_id: text,
    client_secret: v.optional(text),
    client_secret_expires_at: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    client_name: v.optional(text),
    token_endpoint_auth_method: v.optional(v.picklist(DEMO_AUTH_METHODS, `must be one of ${DEMO_AUTH_METHODS.join(', ')}`), 'client_secret_basic'),
    token_endpoint_auth_signing_alg: v.optional(text),
    redirect_uris: v.optional(v.array(redirectUri)),
    grant_types: v.optional(v.array(v.picklist(DEMO_GRANT_TYPES, `must be one of ${DEMO_GRANT_TYPES.join(', ')}`)), ['authorization_code']),
    response_types: v.optional(v.array(v.picklist(['code'], 'only code is served')), ['code']),
    scope: v.optional(scopeString),
    jwks: v.optional(jwks),
    id_token_signed_response_alg: v.optional(v.picklist(['RS256', 'ES256', 'EdDSA'], 'must be RS256, ES256 or EdDSA')),
  }, objectMessage('an object of client metadata')),
  v.check(
    (c) => c.token_endpoint_auth_method === 'none' || c.token_endpoint_auth_method === 'private_key_jwt' || c.client_secret !== undefined,
    (issue) => `${String((issue.input as { token_endpoint_auth_method: string }).token_endpoint_auth_method)} needs a client_secret`,
  ),
  v.check((c) => c.token_endpoint_auth_method !== 'none' || c.client_secret === undefined, 'a public client (none) must not have a client_secret'),
  v.check((c) => c.token_endpoint_auth_method !== 'private_key_jwt' || (c.jwks?.keys.length ?? 0) > 0, 'private_key_jwt needs jwks with the public keys'),
  v.check(
    (c) => !c.grant_types.includes('authorization_code') || (c.redirect_uris?.length ?? 0) > 0,
    'the authorization_code grant needs redirect_uris (grant_types defaults to authorization_code, RFC 7591 §2)',
  ),
  v.check((c) => !(c.token_endpoint_auth_method === 'none' && c.grant_types.includes('client_credentials')), 'client_credentials needs a confidential client (RFC 6749 §4.4)'),
)

const userSchema = v.object({
  username: text,
  password: text,
  // OIDC Core §2: at most 255 ASCII characters.
  sub: v.pipe(text, v.maxLength(255, 'must be at most 255 characters'), v.regex(/^[\x20-\x7E]+$/, 'must be ASCII')),
  name: v.optional(v.string()),
  given_name: v.optional(v.string()),
  family_name: v.optional(v.string()),
  middle_name: v.optional(v.string()),
  nickname: v.optional(v.string()),
  preferred_username: v.optional(v.string()),
  profile: v.optional(url),
  picture: v.optional(url),
  website: v.optional(url),
  email: v.optional(v.pipe(v.string(), v.email('must be an email address'))),
  email_verified: v.optional(v.boolean()),
  gender: v.optional(v.string()),
  birthdate: v.optional(v.string()),
  zoneinfo: v.optional(v.string()),
  locale: v.optional(v.string()),
  phone_number: v.optional(v.string()),
  phone_number_verified: v.optional(v.boolean()),
  address: v.optional(v.record(v.string(), v.string())),
  updated_at: v.optional(v.pipe(v.number(), v.integer())),
}, objectMessage('an object: { "username", "password", "sub", ...claims }'))

const configSchema = v.pipe(
  v.object(
    {
      clients: v.pipe(v.array(clientSchema, 'must be an array of client metadata objects (RFC 7591 §2)'), v.minLength(1, 'needs at least one client')),
      users: v.array(userSchema, 'must be an array of users ({ "username", "password", "sub", ...claims })'),
    },
    objectMessage('a JSON object: { "clients": [...], "users": [...] }'),
  ),
  v.check((c) => unique(c.clients.map((client) => client.client_id)), 'two clients have the same client_id'),
  v.check((c) => unique(c.users.map((user) => user.username)), 'two users have the same username'),
  v.check((c) => unique(c.users.map((user) => user.sub)), 'two users have the same sub'),
)

/**
 * Checks a parsed `DEMO_CONFIG` document: `{ "clients": [RFC 7591 metadata], "users": [...] }`.
 * Unknown fields are ignored; anything else wrong throws a {@link DemoConfigError} listing every
 * problem with its location (`clients[1].redirect_uris[0]: must be an absolute URL`).
 */
export function parseDemoConfig(input: unknown, source = 'DEMO_CONFIG'): DemoConfig {
  // JSON arrays are objects too; valibot's object schema would accept one.
  const result = v.safeParse(configSchema, Array.isArray(input) ? null : input)
  if (!result.success) {
    const problems = result.issues.map((issue) => `  - ${pathOf(issue) || '(top level)'}: ${issue.message}`)
    throw new DemoConfigError(`${source} is not a valid demo configuration:\n${problems.join('\n')}`)
  }
  const { clients, users } = result.output
  return {
    clients: clients.map((client) => withoutUndefined(client) as ClientMetadata),
    users: users.map((user) => withoutUndefined(user) as DemoUser),
  }
}

/** Reads and checks a `DEMO_CONFIG` JSON file. */
export async function loadDemoConfig(path: string): Promise<DemoConfig> {
  let content: string
  try {
    content = await readFile(path, 'utf8')
  } catch (error) {
    throw new DemoConfigError(`DEMO_CONFIG=${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)}).`)
  }
  let json: unknown
  try {
    json = JSON.parse(content)
  } catch (error) {
    throw new DemoConfigError(`DEMO_CONFIG=${path}: not valid JSON (${(error as Error).message}).`)
  }
  return parseDemoConfig(json, `DEMO_CONFIG=${path}`)
}

/** valibot reports a missing key with the object's message: tell it apart from a value that is no object. */
function objectMessage(what: string): (issue: v.ObjectIssue) => string {
  return (issue) => (issue.expected?.startsWith('"') === true ? 'is required' : `must be ${what}`)
}

function pathOf(issue: v.BaseIssue<unknown>): string {
  let out = ''
  for (const item of issue.path ?? []) {
    out += typeof item.key === 'number' ? `[${item.key}]` : out === '' ? String(item.key) : `.${String(item.key)}`
  }
  return out
}

function unique(values: string[]): boolean {
  return new Set(values).size === values.length
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T
}
