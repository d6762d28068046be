import { describe, expect, it } from 'vitest'
import { BearerToken, MultipleFlowsBuilder, OAuth2ClientCredentialsBuilder, OAuth2TokenResponse, OIDCAuthorizationCodeBuilder, type KeyStore } from '@x/oauth2-core'
import { basicAuth, ISSUER, postToken } from '../fixtures/request.js'

/** A client-credentials flow whose handler answers every request. */
function clientCredentials() {
  return OAuth2ClientCredentialsBuilder.create()
    .setIssuer(ISSUER)
    .tokenRoute((route) => route.generateToken(({ tokenType }) => new OAuth2TokenResponse({ access_token: 'at' }).setTokenType(tokenType)))
}

describe('build(): configurations carried over from kaapi that would misbehave are refused', () => {
  it('RFC 9449 §5: refuses a token type other than Bearer, since nothing would bind a DPoP token to a proof', () => {
    expect(() => clientCredentials().setTokenType({ prefix: 'DPoP' }).build()).toThrow(/only Bearer tokens \(RFC 6750\) are issued/)
    expect(() => MultipleFlowsBuilder.create().setIssuer(ISSUER).add(clientCredentials().setTokenType({ prefix: 'MAC' })).build()).toThrow(TypeError)
  })

  it('RFC 6750: issues Bearer tokens with the default token type, or BearerToken given explicitly', async () => {
    for (const builder of [clientCredentials(), clientCredentials().setTokenType(new BearerToken())]) {
      const { json } = await postToken(builder.build(), { grant_type: 'client_credentials' }, { authorization: basicAuth('svc', 's') })
      expect(json).toMatchObject({ access_token: 'at', token_type: 'Bearer' })
    }
  })

  it("refuses kaapi's JwksKeyStore (storeKeyPair, getPrivateKey, getPublicKeys) at build(), not at the first signature", () => {
    const kaapiStore = { storeKeyPair: async () => {}, getPrivateKey: async () => null, getPublicKeys: async () => [] }
    expect(() =>
      OIDCAuthorizationCodeBuilder.create()
        .setIssuer(ISSUER)
        .setJwksKeyStore(kaapiStore as unknown as KeyStore)
        .build(),
    ).toThrow(/no list, put, delete method/)
  })

  it('refuses arguments to create(), which kaapi took and this builder would ignore', () => {
    const create = OAuth2ClientCredentialsBuilder.create as unknown as (this: typeof OAuth2ClientCredentialsBuilder, args: unknown) => unknown
    expect(() => create.call(OAuth2ClientCredentialsBuilder, { tokenType: { prefix: 'DPoP' } })).toThrow(/create\(\) takes no arguments/)
  })
})
