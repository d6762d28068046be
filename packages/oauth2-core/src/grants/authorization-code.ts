import * as v from 'valibot'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { sha256 } from '../internal/hash.js'
import { verifyCodeVerifier, type CodeChallengeMethod } from '../internal/pkce.js'
import { codeVerifierParam, redirectUriParam, requiredVschar } from '../schemas/common.js'
import { revokeGrant } from '../tokens/issue-tokens.js'
import type { StoredEntry } from '../stores/oauth2-store.js'
import type { DefaultGrantInput, GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'
import type { TokenHandlerResult } from './token-context.js'
import { issueUserGrantTokens } from './user-grant.js'

const schema = v.object({
  code: requiredVschar('code'),
  redirect_uri: redirectUriParam,
  code_verifier: codeVerifierParam,
})

type Params = v.InferOutput<typeof schema>

/**
 * What the core stores for each authorization code it issues (kind `authorization_code`, id =
 * SHA-256 of the code): everything the token request must match and the tokens must carry.
 */
export interface AuthorizationCodeEntry extends StoredEntry {
  grantId: string
  clientId: string
  /** The strategy name of the flow that issued it. */
  flow: string
  /** The redirect URI the code was sent to. */
  redirectUri: string
  /** Whether the authorization request named it (then the token request must repeat it, RFC 6749 §4.1.3). */
  redirectUriGiven: boolean
  codeChallenge?: string
  codeChallengeMethod?: CodeChallengeMethod
  nonce?: string
  /** Granted scope tokens. */
  scope: string[]
  sub: string
  /** Epoch seconds. */
  authTime: number
  acr?: string
  amr?: string[]
  /** When the code was issued, epoch ms. */
  issuedAt: number
  /**
   * When the code stops being accepted, epoch ms. The entry itself is kept longer (as long as an
   * access token of its first use can live), so that a late replay is still detected and revokes.
   */
  codeExpiresAt: number
}

/**
 * The data of a redeemed authorization code, given to a `generateToken` handler as
 * `authorization` when the core issued the code (no `generateCode`). Everything in it was checked:
 * the code was unused and unexpired, issued to this client, for this `redirect_uri`, and the PKCE
 * verifier matched.
 */
export interface AuthorizationCodeData {
  /** Ties every token of this authorization together; revoking it revokes them all. */
  grantId: string
  clientId: string
  /** The user who authorized. */
  sub: string
  /** The granted scope tokens. */
  scopes: string[]
  /** OIDC `nonce` of the authorization request, for the ID token. */
  nonce?: string
  /** When the user authenticated, epoch seconds (OIDC `auth_time`). */
  authTime: number
  acr?: string
  amr?: string[]
  redirectUri: string
  codeChallenge?: string
  codeChallengeMethod?: CodeChallengeMethod
}

/**
 * `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5) for codes the user's `generateCode`
 * issued: `code` required, `redirect_uri` and `code_verifier` when the authorization request used
 * them; the user's `generateToken` checks them (kaapi's contract).
 */
export const authorizationCodeGrant: GrantDefinition<Params> = {
  grantType: GrantType.AUTHORIZATION_CODE,
  schema,
  scope: () => undefined,
  fields: (params) => ({
    code: params.code,
    ...(params.code_verifier !== undefined ? { codeVerifier: params.code_verifier } : {}),
    ...(params.redirect_uri !== undefined ? { redirectUri: params.redirect_uri } : {}),
    verifyCodeVerifier,
  }),
}

/**
 * `authorization_code` for the codes the core's authorization endpoint issued. Before any handler:
 * - the code is consumed atomically: unknown or expired is `invalid_grant`; a second use is
 *   `invalid_grant` and revokes every token the first use yielded (RFC 6749 §4.1.2, §10.5);
 * - it must have been issued to the authenticated client (RFC 6749 §4.1.3);
 * - `redirect_uri` must be identical to the authorization request's when that named one
 *   (RFC 6749 §4.1.3), and equal to the one used otherwise;
 * - PKCE (RFC 7636 §4.6): the verifier must match the stored challenge (constant-time); a missing
 *   or wrong verifier is `invalid_grant`, as is a verifier for a code issued without a challenge
 *   (RFC 9700 §2.1.1, PKCE downgrade).
 * The handler context then gets `authorization` ({@link AuthorizationCodeData}). Without
 * `generateToken`, the default handler issues the tokens ({@link issueTokens}): an access token, a
 * refresh token where {@link shouldIssueRefreshToken} allows it, and an ID token when `openid` was
 * granted (with `nonce`, `auth_time`, `acr`, `amr`, `at_hash`, signed with the client's
 * `id_token_signed_response_alg`, RS256 by default).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export const coreAuthorizationCodeGrant: GrantDefinition<Params> = {
  ...authorizationCodeGrant,
  resolve: redeemAuthorizationCode,
  defaultHandler: issueAuthorizationCodeTokens,
}

async function redeemAuthorizationCode({ params, client, flow, runtime }: Omit<DefaultGrantInput<Params>, 'scopes' | 'resolved'>): Promise<{ authorization: AuthorizationCodeData }> {
  const { store } = runtime.config
  const entry = (await store.consume('authorization_code', sha256(params.code))) as AuthorizationCodeEntry | undefined
  if (entry === undefined) throw new OAuth2Error('invalid_grant', 'The authorization code is invalid or expired.')
  if (entry.consumedAt !== undefined) {
    // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server
    // MUST deny the request and SHOULD revoke (when possible) all tokens previously issued based on
    // that authorization code."
    await revokeGrant(runtime, entry.grantId, { type: 'authorization_code_reuse', clientId: entry.clientId })
    throw new OAuth2Error('invalid_grant', 'The authorization code has already been used.')
  }
  if (runtime.config.now() >= entry.codeExpiresAt) throw new OAuth2Error('invalid_grant', 'The authorization code is invalid or expired.')
  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential
  // client, or if the client is public, ensure that the code was issued to client_id in the request".
  if (entry.clientId !== client.clientId || entry.flow !== flow.name) {
    throw new OAuth2Error('invalid_grant', 'The authorization code was issued to another client.')
  }
  // RFC 6749 §4.1.3: redirect_uri is required if it was in the authorization request, and identical.
  if (entry.redirectUriGiven && params.redirect_uri === undefined) {
    throw new OAuth2Error('invalid_grant', 'The redirect_uri of the authorization request is required.')
  }
  if (params.redirect_uri !== undefined && params.redirect_uri !== entry.redirectUri) {
    throw new OAuth2Error('invalid_grant', 'The redirect_uri does not match the authorization request.')
  }
  if (entry.codeChallenge !== undefined) {
    if (params.code_verifier === undefined) throw new OAuth2Error('invalid_grant', 'The code_verifier is required: the authorization request had a code_challenge.')
    if (!(await verifyCodeVerifier(params.code_verifier, entry.codeChallenge, entry.codeChallengeMethod ?? 'plain'))) {
      throw new OAuth2Error('invalid_grant', 'The code_verifier does not match the code_challenge (RFC 7636 §4.6).')
    }
  } else if (params.code_verifier !== undefined) {
    // RFC 9700 §2.1.1: a code_verifier for a code issued without code_challenge MUST be rejected.
    throw new OAuth2Error('invalid_grant', 'The authorization request had no code_challenge, so no code_verifier is accepted.')
  }
  return {
    authorization: {
      grantId: entry.grantId,
      clientId: entry.clientId,
      sub: entry.sub,
      scopes: [...entry.scope],
      authTime: entry.authTime,
      redirectUri: entry.redirectUri,
      ...(entry.nonce !== undefined ? { nonce: entry.nonce } : {}),
      ...(entry.acr !== undefined ? { acr: entry.acr } : {}),
      ...(entry.amr !== undefined ? { amr: entry.amr } : {}),
      ...(entry.codeChallenge !== undefined ? { codeChallenge: entry.codeChallenge } : {}),
      ...(entry.codeChallengeMethod !== undefined ? { codeChallengeMethod: entry.codeChallengeMethod } : {}),
    },
  }
}

async function issueAuthorizationCodeTokens({ resolved, client, flow, runtime }: DefaultGrantInput<Params>): Promise<TokenHandlerResult> {
  const data = (resolved as { authorization?: AuthorizationCodeData }).authorization
  if (data === undefined) throw new Error('The authorization code was not redeemed before the default handler ran.')
  return await issueUserGrantTokens(data, { client, flow, runtime })
}
