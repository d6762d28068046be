// The example of kaapi's wiki page "Token Refresh Flow with refreshTokenRoute", on @x/oauth2-core.
// Two changes: the import, and setIssuer() (the issuer is configured, never guessed). The tokenRoute
// before it issues the refresh token the page's example then accepts (the page assumes one exists).
import {
  NoneAuthMethod,
  OAuth2ErrorCode,
  OAuth2TokenResponse,
  OIDCAuthorizationCodeBuilder,
} from '@x/oauth2-core'

/** The claims of the refresh tokens this example signs. */
export interface RefreshPayload {
  client_id: string
  sub: string
  type: 'refresh'
  scope?: string
}

/** Users of the example. */
export const users: Record<string, { id: string; name: string; email: string }> = {
  '248289761001': { id: '248289761001', name: 'Jane Doe', email: 'janed@example.com' },
}

/** Authorization codes "issued" earlier (the authorization endpoint comes with the authorization-code guide). */
export const codes = new Map([['demo-code', { userId: '248289761001', clientId: 'demo-app', scope: 'openid email offline_access' }]])

export const provider = OIDCAuthorizationCodeBuilder
  .create()
  .setIssuer('http://localhost:3000')
  .setTokenTTL(3600) // 1 hour
  .addClientAuthenticationMethod(new NoneAuthMethod())
  .useAccessTokenJwks(true)
  .setScopes({
    openid: 'User identity',
    email: 'Access to user email',
    offline_access: 'Access to your data when you are not connected',
  })
  .tokenRoute((route) =>
    route.generateToken(async ({ code, clientId, ttl, tokenType, createJwtAccessToken, createIdToken }) => {
      const grant = codes.get(code)
      codes.delete(code) // single use
      if (!grant || grant.clientId !== clientId) return { error: OAuth2ErrorCode.INVALID_GRANT, error_description: 'Invalid code' }
      const scope = grant.scope.split(' ')
      const { token: accessToken } = await createJwtAccessToken!({ sub: grant.userId, scope })
      // Addressed to the token endpoint, not to a resource server: an RFC 9068 resource server checks
      // `aud` (§4) and so never accepts this refresh token as an access token.
      const refreshToken = await createJwtAccessToken!({
        aud: 'http://localhost:3000/oauth2/token',
        sub: grant.userId,
        type: 'refresh',
        scope: grant.scope,
        exp: Math.floor(Date.now() / 1000) + 30 * 24 * 3600,
      })
      return new OAuth2TokenResponse({ access_token: accessToken })
        .setExpiresIn(ttl)
        .setTokenType(tokenType)
        .setScope(scope)
        .setRefreshToken(scope.includes('offline_access') ? refreshToken.token : undefined)
        .setIdToken((await createIdToken?.({ sub: grant.userId }, { accessToken }))?.token)
    }),
  )
  .refreshTokenRoute((route) =>
    route
      .setPath('/oauth2/token') // optional, default '/oauth2/token'
      .generateToken(async ({ clientId, refreshToken, scope, ttl, tokenType, createJwtAccessToken, createIdToken, verifyJwt }) => {
        // verify refresh token
        const payload = await verifyJwt?.<RefreshPayload>(refreshToken, { audience: 'http://localhost:3000/oauth2/token' })
        if (!payload || !(payload.client_id && payload.client_id === clientId && payload.sub && payload.type === 'refresh')) {
          return { error: OAuth2ErrorCode.INVALID_GRANT, error_description: 'Invalid refresh token' }
        }

        const user = users[payload.sub]
        if (!user) {
          return { error: OAuth2ErrorCode.INVALID_GRANT, error_description: 'Unknown user' }
        }

        // a refresh may narrow the scope, never widen it (RFC 6749 §6)
        const granted = (payload.scope ?? '').split(' ')
        const requested = scope ? scope.split(' ') : granted
        if (!requested.every((s) => granted.includes(s))) {
          return { error: OAuth2ErrorCode.INVALID_SCOPE, error_description: 'Scope exceeds the original grant' }
        }

        if (!createJwtAccessToken) return null
        const { token: accessToken } = await createJwtAccessToken({ sub: user.id, scope: requested })

        return new OAuth2TokenResponse({ access_token: accessToken })
          .setExpiresIn(ttl)
          .setRefreshToken(refreshToken)
          .setScope(requested)
          .setTokenType(tokenType)
          .setIdToken(
            (requested.includes('openid') || undefined) &&
              (await createIdToken?.({ sub: user.id, name: user.name, email: requested.includes('email') ? user.email : undefined }, { accessToken }))?.token,
          ) // add id_token if scope has 'openid'
      }),
  )
  .build()
