import { issueTokenSet, shouldIssueRefreshToken } from '../tokens/issue-tokens.js'
import type { OAuth2TokenResponseBody } from '../tokens/token-response.js'
import type { DefaultGrantInput } from './grant-definition.js'

/**
 * What a user approved, as a grant redeemed at the token endpoint carries it: at the authorization
 * endpoint (`AuthorizationCodeData`) or on the device flow's verification page
 * (`DeviceAuthorizationData`).
 */
export interface UserGrant {
  grantId: string
  clientId: string
  sub: string
  scopes: string[]
  /** When the user authenticated, epoch seconds (OIDC `auth_time`). */
  authTime: number
  /** OIDC `nonce` of the authorization request; the device flow has none. */
  nonce?: string
  acr?: string
  amr?: string[]
}

/**
 * The core's default issuance for a grant a user approved ({@link issueTokenSet}): an access token,
 * a refresh token where {@link shouldIssueRefreshToken} allows it, and an ID token when `openid`
 * was granted (with `auth_time`, `acr`, `amr`, and `nonce` when the request had one).
 * How the client authenticated is recorded on the refresh token, so that a family begun by a
 * confidential client is never redeemed with a bare `client_id` (RFC 6749 §6, §10.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDToken
 */
export async function issueUserGrantTokens(
  grant: UserGrant,
  { client, flow, runtime }: Pick<DefaultGrantInput<unknown>, 'client' | 'flow' | 'runtime'>,
): Promise<OAuth2TokenResponseBody> {
  const issued = await issueTokenSet({
    grant: {
      grantId: grant.grantId,
      clientId: grant.clientId,
      sub: grant.sub,
      scope: grant.scopes,
      authTime: grant.authTime,
      ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
      ...(grant.acr !== undefined ? { acr: grant.acr } : {}),
      ...(grant.amr !== undefined ? { amr: grant.amr } : {}),
    },
    flow,
    runtime,
    client: client.client,
    refreshToken: shouldIssueRefreshToken(flow, client, grant.scopes),
    clientAuthMethod: client.method,
  })
  return issued.body
}
