import { serialize } from 'node:v8'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MemoryStore, MultipleFlowsBuilder, OAuth2AuthorizationCodeBuilder, OAuth2ClientCredentialsBuilder } from '../../src/index.js'
import { hasScopeToken, joinScope, scopeTokens } from '../../src/schemas/common.js'
import { basicAuth, ISSUER, postToken } from '../fixtures/request.js'

// RFC 6749 §3.3: a scope is a list of space-delimited tokens; a client's registered scope
// (RFC 7591 §2) is checked token by token, never as a substring.
describe('RFC 6749 §3.3 scope tokens: hasScopeToken', () => {
  it("answers as list.split(' ').includes(token)", () => {
    const piece = fc.constantFrom('read', 'write', 'rea', 'd', 'readwrite', 'a:b', ' ', '  ', '')
    const list = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''))
    fc.assert(
      fc.property(list, fc.constantFrom('read', 'write', 'rea', 'd', 'readwrite', 'a:b', 'x', ''), (registered, token) => {
        expect(hasScopeToken(registered, token)).toBe(registered.split(' ').includes(token))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('RFC 6749 §3.3 scope tokens: scopeTokens', () => {
  it("answers the tokens of scope.split(' '), each once, in order of first occurrence, below and past 16 tokens", () => {
    const piece = fc.constantFrom('read', 'write', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', ' ', '  ', '')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60, size: 'max' }).map((parts) => parts.join(' ')), (scope) => {
        expect(scopeTokens(scope)).toEqual([...new Set(scope.split(' '))])
      }),
      { numRuns: 3000 },
    )
    const many = 'a b c d e f g h i j k l m n o p q r a s b t'
    expect(scopeTokens(many)).toEqual('a b c d e f g h i j k l m n o p q r s t'.split(' '))
    expect(scopeTokens(undefined)).toEqual([])
  })
})

describe('RFC 6749 §3.3 scope tokens: joinScope', () => {
  it("answers as tokens.join(' ')", () => {
    const token = fc.stringMatching(/^[\x21\x23-\x5B\x5D-\x7E]{1,6}$/)
    fc.assert(
      fc.property(fc.array(token, { maxLength: 8 }), (tokens) => {
        expect(joinScope(tokens)).toBe(tokens.join(' '))
      }),
    )
  })

  it("answers as tokens.join(' ') right after a call with the same, a longer, a shorter or a changed list (it keeps the last answer)", () => {
    const token = fc.constantFrom('a', 'b', 'read', 'write', 'x:y')
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 4 }), { minLength: 2, maxLength: 12 }), (lists) => {
        for (const tokens of lists) expect(joinScope(tokens)).toBe(tokens.join(' '))
      }),
    )
    const tokens = ['read', 'write']
    expect(joinScope(tokens)).toBe('read write')
    tokens[1] = 'a'
    expect(joinScope(tokens)).toBe('read a')
  })
})

// Not a rule of the RFC: a performance property the benchmark found (bench/RESULTS.md). V8's
// serializer tags a one-byte string '"' (0x22) and a two-byte one 'c' (0x63) after its 2-byte header.
const isOneByte = (value: string) => serialize(value)[2] === 0x22

describe('token responses are one-byte strings (no UTF-16 body to transcode on every write)', () => {
  it('a scope looked up as a property key and joined again stays one-byte', () => {
    const tokens = new TextDecoder().decode(new TextEncoder().encode('read write')).split(' ')
    const declared: Record<string, string> = { read: 'r', write: 'w' }
    for (const t of tokens) expect(Object.hasOwn(declared, t)).toBe(true)
    expect(isOneByte(joinScope(tokens))).toBe(true)
  })

  it('client_credentials and a rotating refresh_token answer ASCII JSON as a one-byte string', async () => {
    const store = new MemoryStore({
      clients: [{ client_id: 'c1', client_secret: 's1', token_endpoint_auth_method: 'client_secret_basic', grant_types: ['client_credentials', 'authorization_code', 'refresh_token'], scope: 'read write' }],
    })
    const scopes = { read: 'Read', write: 'Write' }
    const provider = MultipleFlowsBuilder.create()
      .setIssuer(ISSUER)
      .setStore(store)
      .add(OAuth2ClientCredentialsBuilder.create().setScopes(scopes))
      .add(
        OAuth2AuthorizationCodeBuilder.create()
          .setScopes(scopes)
          .tokenRoute((route) => route.generateToken(({ issueTokens }) => issueTokens({ sub: 'u1', scope: 'read write', refreshToken: true }))),
      )
      .build()
    const auth = { authorization: basicAuth('c1', 's1') }
    const cc = await postToken(provider, { grant_type: 'client_credentials', scope: 'read write' }, auth)
    expect(cc.status).toBe(200)
    expect(cc.json['scope']).toBe('read write')
    expect(isOneByte(cc.body)).toBe(true)

    const first = await postToken(provider, { grant_type: 'authorization_code', code: 'any', redirect_uri: 'https://client.example/cb' }, auth)
    expect(first.status).toBe(200)
    const refreshed = await postToken(provider, { grant_type: 'refresh_token', refresh_token: String(first.json['refresh_token']) }, auth)
    expect(refreshed.status).toBe(200)
    expect(refreshed.json['scope']).toBe('read write')
    expect(isOneByte(refreshed.body)).toBe(true)
  })
})
