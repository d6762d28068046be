import {
  MultipleFlowsBuilder,
  OAuth2ClientCredentialsBuilder,
  OIDCAuthorizationCodeBuilder,
  OIDCDeviceAuthorizationBuilder,
  type AuthenticateUser,
  type ClientMetadata,
  type ErrorHook,
  type OAuth2Provider,
} from '@x/oauth2-core'
import type { DemoConfig } from './config.js'
import type { UserDirectory } from './users.js'

/** The scopes the demo declares, with the descriptions the consent page shows. */
export const DEMO_SCOPES: Readonly<Record<string, string>> = {
  profile: 'Your name and profile',
  email: 'Your email address',
  phone: 'Your phone number',
  address: 'Your postal address',
  // OIDC Core §11: with openid, a refresh token is issued only when offline_access is granted.
  offline_access: 'Stay signed in (a refresh token)',
  'api:read': 'Read the demo API',
  'api:write': 'Change things in the demo API',
}

/** The scopes that only mean something for a user (OpenID Connect); the service flow does not offer them. */
const USER_SCOPES = new Set(['openid', 'profile', 'email', 'phone', 'address', 'offline_access'])

/** Settings of {@link createDemoProvider}. */
export interface DemoProviderOptions {
  issuer: string
  config: DemoConfig
  users: UserDirectory
  onError?: ErrorHook
}

/**
 * The demo's authorization server: every flow of the core behind one token endpoint, on the
 * embedded `MemoryStore`, with the core's secure defaults (no `generateToken`: the core issues,
 * rotates and revokes the tokens).
 *
 * - authorization code + PKCE + OpenID Connect (`/oauth2/authorize`, sign-in and consent pages, UserInfo);
 * - device authorization (RFC 8628: `/oauth2/device_authorization`, the verification page `/oauth2/device`);
 * - client credentials (RFC 6749 §4.4);
 * - refresh tokens (rotation, reuse detection), revocation (RFC 7009), introspection (RFC 7662),
 *   discovery (RFC 8414, OIDC Discovery), JWKS.
 */
export function createDemoProvider({ issuer, config, users, onError }: DemoProviderOptions): OAuth2Provider {
  const clients = new Map<string, ClientMetadata>(config.clients.map((client) => [client.client_id, client]))
  const scopes = demoScopes(config.clients)
  const serviceScopes = Object.fromEntries(Object.entries(scopes).filter(([name]) => !USER_SCOPES.has(name)))

  const authenticateUser: AuthenticateUser = async ({ username, password }) => {
    const user = await users.verifyPassword(username, password)
    return user === undefined ? null : { sub: user.sub, amr: ['pwd'] }
  }

  const builder = MultipleFlowsBuilder.create()
    .setIssuer(issuer)
    .findClient((clientId) => clients.get(clientId))
    .add(
      OIDCAuthorizationCodeBuilder.create()
        .setScopes(scopes)
        .withPkce() // public clients (none); PKCE is required from every client
        .addClientAuthenticationMethod('client_secret_basic')
        .addClientAuthenticationMethod('client_secret_post')
        .addClientAuthenticationMethod('client_secret_jwt')
        .addClientAuthenticationMethod('private_key_jwt')
        // No consent callback: the consent page always asks.
        .authorizationRoute((route) => route.authenticateUser(authenticateUser))
        .userInfo((sub) => users.claimsOf(sub) ?? null),
    )
    .add(
      OIDCDeviceAuthorizationBuilder.create()
        .setScopes(scopes)
        .addClientAuthenticationMethod('none') // RFC 8628 §5.6: devices are usually public clients
        .addClientAuthenticationMethod('client_secret_basic')
        .addClientAuthenticationMethod('client_secret_post')
        .addClientAuthenticationMethod('client_secret_jwt')
        .addClientAuthenticationMethod('private_key_jwt')
        .verificationRoute((route) => route.authenticateUser(authenticateUser)),
    )
    .add(
      OAuth2ClientCredentialsBuilder.create()
        .setScopes(serviceScopes)
        .useAccessTokenJwks() // RFC 9068 JWT access tokens, as the OIDC flows issue
        .addClientAuthenticationMethod('client_secret_basic')
        .addClientAuthenticationMethod('client_secret_post')
        .addClientAuthenticationMethod('client_secret_jwt')
        .addClientAuthenticationMethod('private_key_jwt'),
    )
  if (onError !== undefined) builder.onError(onError)
  return builder.build()
}

/** The demo's scopes, plus any other scope a configured client registered (described by its name). */
function demoScopes(clients: readonly ClientMetadata[]): Record<string, string> {
  const scopes: Record<string, string> = { ...DEMO_SCOPES }
  for (const client of clients) {
    for (const scope of client.scope?.split(' ') ?? []) {
      if (scope !== 'openid' && scopes[scope] === undefined) scopes[scope] = scope
    }
  }
  return scopes
}
