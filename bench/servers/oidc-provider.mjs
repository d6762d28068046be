// oidc-provider 9 on node:http: client_credentials and rotating refresh_token, with opaque
// access tokens or EdDSA-signed JWT access tokens (its resource-indicator configuration).
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { CLIENT_ID, CLIENT_SECRET, ISSUER, RESOURCE, SCOPE, SUBJECT, TOKEN_PATH, TOKEN_TTL } from '../src/config.mjs'
import { format, ready } from './lib/serve.mjs'

const jwt = format === 'jwt'
const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
// An RS256 key too: oidc-provider wants one for ID tokens (their default algorithm), never used here.
const rsa = await generateKeyPair('RS256', { extractable: true })

const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://client.example/cb'],
      scope: SCOPE,
    },
  ],
  jwks: {
    keys: [
      { ...(await exportJWK(ed.privateKey)), alg: 'EdDSA', use: 'sig', kid: 'ed' },
      { ...(await exportJWK(rsa.privateKey)), alg: 'RS256', use: 'sig', kid: 'rs' },
    ],
  },
  routes: { token: TOKEN_PATH },
  scopes: ['read', 'write'],
  // RFC 9700 §4.14.2, as the core does: a new refresh token on every use.
  rotateRefreshToken: true,
  // A custom issueRefreshToken is what turns its refresh_token grant on for OAuth 2.0 clients.
  issueRefreshToken: async () => true,
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  ttl: { AccessToken: TOKEN_TTL, ClientCredentials: TOKEN_TTL, RefreshToken: 14 * 24 * 3600, Grant: 90 * 24 * 3600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Resource indicators (RFC 8707) are how oidc-provider issues JWT access tokens at all.
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: SCOPE,
        audience: RESOURCE,
        accessTokenTTL: TOKEN_TTL,
        accessTokenFormat: jwt ? 'jwt' : 'opaque',
        ...(jwt ? { jwt: { sign: { alg: 'EdDSA' } } } : {}),
      }),
    },
  },
})
// Its warnings about the development-only memory adapter are expected here.
provider.on('server_error', (_ctx, error) => console.error('oidc-provider server_error', error))

/** Refresh tokens as its authorization_code grant would leave them, each of its own grant. */
async function seed(n) {
  const client = await provider.Client.find(CLIENT_ID)
  const tokens = []
  for (let i = 0; i < n; i++) {
    const grant = new provider.Grant({ accountId: SUBJECT, clientId: CLIENT_ID })
    grant.addResourceScope(RESOURCE, SCOPE)
    const grantId = await grant.save()
    const refreshToken = new provider.RefreshToken({
      accountId: SUBJECT,
      client,
      grantId,
      gty: 'authorization_code',
      scope: SCOPE,
      resource: RESOURCE,
      iiat: Math.floor(Date.now() / 1000),
      rotations: 0,
    })
    tokens.push(await refreshToken.save())
  }
  return tokens
}

const server = createServer(provider.callback())
server.listen(0, '127.0.0.1')
await ready(server, { seed })
