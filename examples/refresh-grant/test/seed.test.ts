import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { codes, provider } from '../src/seed.js'

const ISSUER = 'http://localhost:3000'

async function token(params: Record<string, string>) {
  const result = await provider.handle({
    method: 'POST',
    url: `${ISSUER}/oauth2/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  })
  return { ...result, json: JSON.parse(result.body) as Record<string, string> }
}

async function refreshToken(): Promise<string> {
  codes.set('seed-code', { userId: '248289761001', clientId: 'demo-app', scope: 'openid email offline_access' })
  const { json } = await token({ grant_type: 'authorization_code', code: 'seed-code', client_id: 'demo-app' })
  return json['refresh_token']!
}

describe('kaapi wiki "Token Refresh Flow with refreshTokenRoute", run on @x/oauth2-core', () => {
  it('issues a new access token, with the same refresh token, for the client the token belongs to', async () => {
    const rt = await refreshToken()
    const { status, json, headers } = await token({ grant_type: 'refresh_token', refresh_token: rt, client_id: 'demo-app' })
    expect(status).toBe(200)
    expect(headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache' })
    expect(json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_token: rt, scope: 'openid email offline_access' })
    const jwks = createLocalJWKSet(JSON.parse((await provider.handle({ method: 'GET', url: `${ISSUER}/oauth2/keys`, headers: {} })).body))
    const { payload, protectedHeader } = await jwtVerify(json['access_token']!, jwks, { issuer: ISSUER, typ: 'at+jwt' })
    expect(protectedHeader.typ).toBe('at+jwt')
    expect(payload).toMatchObject({ sub: '248289761001', client_id: 'demo-app', scope: 'openid email offline_access' })
    const idToken = await jwtVerify(json['id_token']!, jwks, { issuer: ISSUER, audience: 'demo-app' })
    expect(idToken.payload).toMatchObject({ sub: '248289761001', email: 'janed@example.com' })
  })

  it('narrows the scope on request and refuses to widen it (RFC 6749 §6)', async () => {
    const rt = await refreshToken()
    const narrowed = await token({ grant_type: 'refresh_token', refresh_token: rt, client_id: 'demo-app', scope: 'email' })
    expect(narrowed.status).toBe(200)
    expect(narrowed.json['scope']).toBe('email')
    expect(narrowed.json['id_token']).toBeUndefined()
    expect(decodeJwt(narrowed.json['access_token']!)['scope']).toBe('email')
  })

  it('answers a refresh token of another client with invalid_grant', async () => {
    const rt = await refreshToken()
    const { status, json } = await token({ grant_type: 'refresh_token', refresh_token: rt, client_id: 'other-app' })
    expect(status).toBe(400)
    expect(json).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh token' })
  })

  it('answers a forged or garbage refresh token with invalid_grant', async () => {
    const rt = await refreshToken()
    const forged = `${rt.slice(0, -4)}AAAA`
    for (const bad of [forged, 'not-a-jwt', 'a.b.c']) {
      const { json } = await token({ grant_type: 'refresh_token', refresh_token: bad, client_id: 'demo-app' })
      expect(json['error']).toBe('invalid_grant')
    }
  })

  it('answers a request without client_id with invalid_client: NoneAuthMethod needs the client to identify itself', async () => {
    const rt = await refreshToken()
    const { status, json } = await token({ grant_type: 'refresh_token', refresh_token: rt })
    expect(status).toBe(400)
    expect(json['error']).toBe('invalid_client')
  })

  it('uses each authorization code once', async () => {
    codes.set('once', { userId: '248289761001', clientId: 'demo-app', scope: 'openid' })
    expect((await token({ grant_type: 'authorization_code', code: 'once', client_id: 'demo-app' })).status).toBe(200)
    expect((await token({ grant_type: 'authorization_code', code: 'once', client_id: 'demo-app' })).json['error']).toBe('invalid_grant')
  })
})
