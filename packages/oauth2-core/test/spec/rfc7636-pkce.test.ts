import { describe, expect, it } from 'vitest'
import type { OAuth2Provider, OAuth2Result } from '@x/oauth2-core'
import {
  authorize,
  codeFlowProvider,
  codeRequest,
  PUBLIC_CLIENT,
  REDIRECT_URI,
  redirectParams,
  signInAndConsent,
  WEB_AUTH,
  WEB_CLIENT,
} from '../fixtures/authorization.js'
import { postToken } from '../fixtures/request.js'

/** RFC 7636 Appendix B: the example verifier and its S256 challenge. */
const APPENDIX_B = { verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' }

function errorOf(result: OAuth2Result): string | undefined {
  return redirectParams(result).params['error']
}

function codeOf(result: OAuth2Result): string {
  const code = redirectParams(result).params['code']
  expect(code).toBeDefined()
  return code!
}

/** Gets a code for the request with `extra` parameters (the PKCE ones may be replaced or removed). */
async function codeWith(provider: OAuth2Provider, extra: Record<string, string | undefined>, client = WEB_CLIENT) {
  const { params } = await codeRequest(client)
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete params[name]
    else params[name] = value
  }
  return signInAndConsent(provider, params)
}

function redeem(provider: OAuth2Provider, code: string, verifier: string | undefined) {
  return postToken(
    provider,
    { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, ...(verifier !== undefined ? { code_verifier: verifier } : {}) },
    WEB_AUTH,
  )
}

describe('RFC 7636 §4.4.1 and RFC 9700 §2.1.1: PKCE is required', () => {
  it('refuses a public client without code_challenge with invalid_request', async () => {
    const { provider } = codeFlowProvider()
    const { params } = await codeRequest(PUBLIC_CLIENT)
    delete params['code_challenge']
    delete params['code_challenge_method']
    const result = await authorize(provider, params)
    expect(errorOf(result)).toBe('invalid_request')
    expect(redirectParams(result).params['error_description']).toContain('PKCE')
  })

  it('refuses a confidential client without code_challenge by default', async () => {
    const { provider } = codeFlowProvider()
    const result = await codeWith(provider, { code_challenge: undefined, code_challenge_method: undefined })
    expect(errorOf(result)).toBe('invalid_request')
  })

  it('lets confidential clients go without PKCE after setPkceOptions({ requiredForConfidentialClients: false }), never public ones', async () => {
    const { provider } = codeFlowProvider({ builder: (b) => b.setPkceOptions({ requiredForConfidentialClients: false }) })
    const result = await codeWith(provider, { code_challenge: undefined, code_challenge_method: undefined })
    const tokens = await redeem(provider, codeOf(result), undefined)
    expect(tokens.status).toBe(200)
    const { params } = await codeRequest(PUBLIC_CLIENT)
    delete params['code_challenge']
    delete params['code_challenge_method']
    expect(errorOf(await authorize(provider, params))).toBe('invalid_request')
  })

  it('lets confidential clients go without PKCE after withoutPkce(), which also turns off the none method', async () => {
    const { provider } = codeFlowProvider({ builder: (b) => b.withoutPkce() })
    const tokens = await redeem(provider, codeOf(await codeWith(provider, { code_challenge: undefined, code_challenge_method: undefined })), undefined)
    expect(tokens.status).toBe(200)
    const metadata = provider.metadata()
    expect(metadata['token_endpoint_auth_methods_supported']).not.toContain('none')
  })

  it('holds a client that sent a code_challenge to it even where PKCE is optional', async () => {
    const { provider } = codeFlowProvider({ builder: (b) => b.withoutPkce() })
    const result = await codeWith(provider, {})
    const tokens = await redeem(provider, codeOf(result), undefined)
    expect(tokens.json['error']).toBe('invalid_grant')
  })

  it('adds the none method for public clients with withPkce() (kaapi)', async () => {
    const { provider } = codeFlowProvider({ builder: (b) => b.withPkce() })
    expect(provider.metadata()['token_endpoint_auth_methods_supported']).toContain('none')
  })
})

describe('RFC 7636 §4.2, §4.3 code_challenge and code_challenge_method', () => {
  it('refuses code_challenge_method=plain by default (RFC 9700 §2.1.1: S256 only)', async () => {
    const { provider } = codeFlowProvider()
    const { challenge } = APPENDIX_B
    expect(errorOf(await codeWith(provider, { code_challenge: challenge, code_challenge_method: 'plain' }))).toBe('invalid_request')
  })

  it('treats an absent code_challenge_method as plain (§4.3), refused by default', async () => {
    const { provider } = codeFlowProvider()
    expect(errorOf(await codeWith(provider, { code_challenge_method: undefined }))).toBe('invalid_request')
  })

  it('accepts plain with setPkceOptions({ allowPlain: true }), where the verifier equals the challenge', async () => {
    const { provider } = codeFlowProvider({ builder: (b) => b.setPkceOptions({ allowPlain: true }) })
    const verifier = 'a'.repeat(43)
    const code = codeOf(await codeWith(provider, { code_challenge: verifier, code_challenge_method: 'plain' }))
    expect((await redeem(provider, code, verifier)).status).toBe(200)
    expect(provider.metadata()['code_challenge_methods_supported']).toEqual(['S256', 'plain'])
  })

  it('refuses an unknown code_challenge_method', async () => {
    const { provider } = codeFlowProvider()
    expect(errorOf(await codeWith(provider, { code_challenge_method: 'S512' }))).toBe('invalid_request')
  })

  it('refuses code_challenge_method without code_challenge', async () => {
    const { provider } = codeFlowProvider()
    expect(errorOf(await codeWith(provider, { code_challenge: undefined }))).toBe('invalid_request')
  })

  it('refuses a code_challenge outside 43 to 128 unreserved characters', async () => {
    const { provider } = codeFlowProvider()
    for (const challenge of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`]) {
      expect(errorOf(await codeWith(provider, { code_challenge: challenge }))).toBe('invalid_request')
    }
  })

  it('advertises only S256 in code_challenge_methods_supported by default (RFC 8414 §2)', () => {
    const { provider } = codeFlowProvider()
    expect(provider.metadata()['code_challenge_methods_supported']).toEqual(['S256'])
  })
})

describe('RFC 7636 §4.5, §4.6 code_verifier at the token endpoint', () => {
  it('accepts the verifier of the RFC 7636 Appendix B example (S256)', async () => {
    const { provider } = codeFlowProvider()
    const code = codeOf(await codeWith(provider, { code_challenge: APPENDIX_B.challenge }))
    expect((await redeem(provider, code, APPENDIX_B.verifier)).status).toBe(200)
  })

  it('answers a wrong verifier with invalid_grant', async () => {
    const { provider } = codeFlowProvider()
    const code = codeOf(await codeWith(provider, { code_challenge: APPENDIX_B.challenge }))
    const result = await redeem(provider, code, `${APPENDIX_B.verifier.slice(0, -1)}Y`)
    expect(result.status).toBe(400)
    expect(result.json['error']).toBe('invalid_grant')
  })

  it('answers a missing verifier with invalid_grant', async () => {
    const { provider } = codeFlowProvider()
    const code = codeOf(await codeWith(provider, { code_challenge: APPENDIX_B.challenge }))
    expect((await redeem(provider, code, undefined)).json['error']).toBe('invalid_grant')
  })

  it('answers a verifier whose syntax is wrong with invalid_request (§4.1)', async () => {
    const { provider } = codeFlowProvider()
    for (const verifier of ['short', `${'a'.repeat(42)}!`, 'a'.repeat(129)]) {
      const code = codeOf(await codeWith(provider, { code_challenge: APPENDIX_B.challenge }))
      const result = await redeem(provider, code, verifier)
      expect(result.json['error']).toBe('invalid_request')
    }
  })

  it('refuses a verifier for a code issued without a challenge (RFC 9700 §2.1.1, downgrade)', async () => {
    const { provider } = codeFlowProvider({ builder: (b) => b.withoutPkce() })
    const code = codeOf(await codeWith(provider, { code_challenge: undefined, code_challenge_method: undefined }))
    expect((await redeem(provider, code, APPENDIX_B.verifier)).json['error']).toBe('invalid_grant')
  })

  it('spends the code on a wrong verifier: the right one cannot follow (no guessing)', async () => {
    const { provider } = codeFlowProvider()
    const code = codeOf(await codeWith(provider, { code_challenge: APPENDIX_B.challenge }))
    await redeem(provider, code, 'b'.repeat(43))
    expect((await redeem(provider, code, APPENDIX_B.verifier)).json['error']).toBe('invalid_grant')
  })

  it('binds the verifier of a public client to its own code', async () => {
    const { provider } = codeFlowProvider()
    const first = await codeRequest(PUBLIC_CLIENT)
    const second = await codeRequest(PUBLIC_CLIENT)
    const code = codeOf(await signInAndConsent(provider, first.params))
    const result = await postToken(provider, { grant_type: 'authorization_code', client_id: PUBLIC_CLIENT.client_id, code, redirect_uri: REDIRECT_URI, code_verifier: second.verifier })
    expect(result.json['error']).toBe('invalid_grant')
  })
})
