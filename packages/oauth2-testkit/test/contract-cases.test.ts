import { describe, expect, it } from 'vitest'
import { API_CLIENT, contractCases, createTestProvider, DEFAULT_BODY_LIMIT, toContractRequest, toOAuth2Request } from '@x/oauth2-testkit'

describe.each(['', '/auth'])('the contract cases through the core, issuer path %j', (basePath) => {
  const { provider } = createTestProvider({ basePath })

  it.each(contractCases.map((c) => [c.name, c] as const))('%s gives the pinned status', async (_, testCase) => {
    const result = await provider.handle(toOAuth2Request(toContractRequest(testCase, basePath)))
    expect(result.status).toBe(testCase.status)
    if (testCase.status >= 400 && testCase.status !== 404) expect(JSON.parse(result.body)).toHaveProperty('error')
  })
})

describe('the contract cases', () => {
  const { provider } = createTestProvider()

  it('gives deterministic bodies, so an adapter can be compared byte for byte', async () => {
    const request = toOAuth2Request(toContractRequest(contractCases[0]!))
    const first = await provider.handle(request)
    const second = await provider.handle(request)
    expect(second).toEqual(first)
    expect(JSON.parse(first.body)).toEqual({ access_token: 'contract-token.read', token_type: 'Bearer', expires_in: 600, scope: 'read' })
  })

  it('pins the limit cases to the default body limit', () => {
    const sizes = contractCases.filter((c) => c.name.includes('limit')).map((c) => toContractRequest(c).body!.byteLength)
    expect(sizes).toEqual([DEFAULT_BODY_LIMIT, DEFAULT_BODY_LIMIT + 1, 4 * DEFAULT_BODY_LIMIT])
  })
})

describe('createTestProvider', () => {
  it('issues real access tokens the resource check accepts, under an issuer path', async () => {
    const { provider, issueAccessToken } = createTestProvider({ basePath: '/auth' })
    const token = await issueAccessToken('read')
    const auth = await provider.authenticateResourceRequest({ headers: { authorization: `Bearer ${token}` } }, { scopes: ['read'] })
    expect(auth.ok && auth.token.clientId).toBe(API_CLIENT.id)
    expect(provider.routes.map((r) => r.pathname)).toEqual(expect.arrayContaining(['/auth/oauth2/keys', '/auth/oauth2/token']))
  })
})
