// provider.ts: every flow on one provider. The same file serves Express, Fastify and Hono.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import {
  MultipleFlowsBuilder,
  OAuth2ClientCredentialsBuilder,
  OIDCAuthorizationCodeBuilder,
  OIDCDeviceAuthorizationBuilder,
  type AuthenticateUser,
  type ClientMetadata,
} from '@x/oauth2-core'

const clients = new Map<string, ClientMetadata>([
  ['web-app', {
    client_id: 'web-app',
    client_secret: process.env.WEB_APP_SECRET ?? 'change-me',
    redirect_uris: ['http://localhost:8080/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access',
  }],
  ['tv-app', {
    client_id: 'tv-app',
    token_endpoint_auth_method: 'none',              // a device cannot keep a secret (RFC 8628 §5.6)
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    scope: 'openid profile offline_access',
  }],
  ['reporting-job', {
    client_id: 'reporting-job',
    client_secret: process.env.REPORTING_JOB_SECRET ?? 'change-me-too',
    grant_types: ['client_credentials'],
    scope: 'reports:read',
  }],
])

// A stand-in for your user store: salted scrypt hashes, compared in constant time.
const salt = randomBytes(16)
const hash = (password: string) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, 32, (error, key) => (error ? reject(error) : resolve(key))))
const users = new Map([
  ['alice', { sub: 'user-alice', hash: await hash('wonderland'), claims: { name: 'Alice Liddell', email: 'alice@example.org', email_verified: true } }],
])

const authenticateUser: AuthenticateUser = async ({ username, password }) => {
  const user = users.get(username)
  const matches = timingSafeEqual(await hash(password), user?.hash ?? Buffer.alloc(32)) // same work for unknown users
  return matches && user !== undefined ? { sub: user.sub, amr: ['pwd'] } : null
}

export const provider = MultipleFlowsBuilder.create()
  .setIssuer(process.env.ISSUER ?? 'http://localhost:3000') // the public URL; never taken from the Host header
  .findClient((clientId) => clients.get(clientId))
  .add(
    OIDCAuthorizationCodeBuilder.create()                   // /oauth2/authorize: sign-in, consent; ID tokens; UserInfo
      .setScopes({ profile: 'Your name', email: 'Your email address', offline_access: 'Stay signed in' })
      .withPkce()                                           // also public clients; PKCE is required from all
      .authorizationRoute((route) => route.authenticateUser(authenticateUser))
      .userInfo((sub) => [...users.values()].find((user) => user.sub === sub)?.claims ?? null),
  )
  .add(
    OIDCDeviceAuthorizationBuilder.create()                 // /oauth2/device_authorization and the page /oauth2/device
      .setScopes({ profile: 'Your name', offline_access: 'Stay signed in on the TV' })
      .addClientAuthenticationMethod('none')
      .verificationRoute((route) => route.authenticateUser(authenticateUser)),
  )
  .add(
    OAuth2ClientCredentialsBuilder.create()                 // services: grant_type=client_credentials
      .setScopes({ 'reports:read': 'Read reports' })
      .useAccessTokenJwks(),                                // RFC 9068 JWT access tokens, like the OIDC flows
  )
  .onError((error) => console.error('oauth2:', error))     // a callback or the store failed: the client only reads server_error
  .build() // no generateToken: the core issues, rotates, revokes and introspects the tokens
