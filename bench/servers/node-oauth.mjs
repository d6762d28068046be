// @node-oauth/oauth2-server 5 on Express 5 (express.urlencoded, its documented set-up):
// client_credentials with opaque access tokens (its default generator) or EdDSA JWTs.
import { randomUUID } from 'node:crypto'
import express from 'express'
import { generateKeyPair, SignJWT } from 'jose'
import OAuth2Server from '@node-oauth/oauth2-server'
import { CLIENT_ID, CLIENT_SECRET, ISSUER, RESOURCE, SCOPE, TOKEN_PATH, TOKEN_TTL } from '../src/config.mjs'
import { format, ready } from './lib/serve.mjs'

const { Request, Response } = OAuth2Server
const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
const allowed = new Set(SCOPE.split(' '))
const tokens = new Map()
const client = { id: CLIENT_ID, grants: ['client_credentials'] }

const model = {
  getClient: async (id, secret) => (id === CLIENT_ID && secret === CLIENT_SECRET ? client : null),
  getUserFromClient: async (c) => ({ id: c.id }),
  validateScope: async (_user, _client, scope) => {
    const requested = Array.isArray(scope) ? scope : String(scope ?? '').split(' ').filter(Boolean)
    return requested.every((s) => allowed.has(s)) ? requested : false
  },
  saveToken: async (token, c, user) => {
    const saved = { ...token, client: c, user }
    tokens.set(token.accessToken, saved)
    return saved
  },
  ...(format === 'jwt'
    ? {
        generateAccessToken: async (c, _user, scope) =>
          new SignJWT({ client_id: c.id, scope: Array.isArray(scope) ? scope.join(' ') : scope, jti: randomUUID() })
            .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'ed' })
            .setIssuer(ISSUER)
            .setAudience(RESOURCE)
            .setSubject(c.id)
            .setIssuedAt()
            .setExpirationTime(`${TOKEN_TTL}s`)
            .sign(privateKey),
      }
    : {}),
}
const oauth = new OAuth2Server({ model, accessTokenLifetime: TOKEN_TTL })

const app = express()
app.post(TOKEN_PATH, express.urlencoded({ extended: false }), async (req, res) => {
  const response = new Response(res)
  try {
    await oauth.token(new Request(req), response)
    res.set(response.headers).status(response.status).json(response.body)
  } catch (error) {
    res.status(error.code ?? 500).json({ error: error.name, error_description: error.message })
  }
})
await ready(app.listen(0, '127.0.0.1'))
