// Experiment: the least a client_credentials token endpoint can do on Fastify, written by hand for
// this one request with Node's native crypto: the hello-world's form parser, the Basic header
// decoded, the client found in a Map and its secret compared in constant time, a random token, its
// SHA-256 as the store key, one Map entry, the RFC 6749 §5.1 answer with `no-store`. No other
// grant, client authentication method, validation library, limits or error mapping. A floor for
// what a Node server on Fastify could cost per request here, not a server to use
// (bench/RESULTS.md, "What is left").
import { hash, randomFillSync, timingSafeEqual } from 'node:crypto'
import Fastify from 'fastify'
import { CLIENT_ID, CLIENT_SECRET, SCOPE, TOKEN_PATH, TOKEN_TTL } from '../src/config.mjs'
import { ready } from './lib/serve.mjs'

const clients = new Map([[CLIENT_ID, { secret: hash('sha256', CLIENT_SECRET, 'buffer'), scope: new Set(SCOPE.split(' ')) }]])
const tokens = new Map()
const HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' }

// Random bytes drawn 4 KiB at a time: one CSPRNG call per 128 tokens, each byte used once.
const pool = Buffer.alloc(4096)
let offset = pool.length
function randomToken() {
  if (offset + 32 > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  offset += 32
  return pool.toString('base64url', offset - 32, offset)
}

function fail(reply, status, error) {
  return reply.code(status).headers(HEADERS).send({ error })
}

const app = Fastify({ logger: false })
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body)))
})
app.post(TOKEN_PATH, async (request, reply) => {
  const authorization = request.headers.authorization
  if (typeof authorization !== 'string' || !authorization.startsWith('Basic ')) return fail(reply, 401, 'invalid_client')
  const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const client = colon > 0 ? clients.get(decodeURIComponent(decoded.slice(0, colon))) : undefined
  const secret = hash('sha256', decodeURIComponent(decoded.slice(colon + 1)), 'buffer')
  if (client === undefined || !timingSafeEqual(secret, client.secret)) return fail(reply, 401, 'invalid_client')
  const { grant_type: grantType, scope = '' } = request.body
  if (grantType !== 'client_credentials') return fail(reply, 400, 'unsupported_grant_type')
  if (!scope.split(' ').every((s) => client.scope.has(s))) return fail(reply, 400, 'invalid_scope')
  const token = randomToken()
  tokens.set(hash('sha256', token, 'base64url'), { clientId: CLIENT_ID, scope, exp: Date.now() + TOKEN_TTL * 1000 })
  reply.headers(HEADERS)
  return { access_token: token, token_type: 'Bearer', expires_in: TOKEN_TTL, scope }
})
await app.listen({ host: '127.0.0.1', port: 0 })
await ready(app.server)
