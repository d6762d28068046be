import * as v from 'valibot'
import { requireVerifiedClient } from '../client-auth/endpoint-policy.js'
import type { FlowConfig } from '../config.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { sha256 } from '../internal/hash.js'
import { verifyCodeVerifier, type CodeChallengeMethod } from '../internal/pkce.js'
import { codeVerifierParam, redirectUriParam, requiredVschar } from '../schemas/common.js'
import { clientIdTokenAlgorithm, issuesIdToken, revokeGrant } from '../tokens/issue-tokens.js'
import type { StoredEntry } from '../stores/oauth2-store.js'
import { NotThisFlow, type DefaultGrantInput, type GrantDefinition } from './grant-definition.js'
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
 * `authorization_code` for the codes the core's authorization endpoint issued. Before any handler,
 * the stored code is checked before it is consumed, so that a request that fails a check (another
 * client's, a wrong `redirect_uri`) leaves the code to its rightful client:
 * - the client must be one the core could verify, or a public (`none`) one (RFC 6749 §4.1.3: the
 *   server MUST authenticate a client that includes authentication); else `invalid_client`;
 * - a code already used is `invalid_grant` and revokes every token the first use yielded
 *   (RFC 6749 §4.1.2, §10.5), whoever presents it;
 * - unknown, expired, or issued to another client (RFC 6749 §4.1.3): `invalid_grant`, with one
 *   description for all, which tells another client nothing about the code;
 * - `redirect_uri` must be identical to the authorization request's when that named one
 *   (RFC 6749 §4.1.3), and equal to the one used otherwise;
 * - PKCE: a missing verifier is `invalid_grant`, as is a verifier for a code issued without a
 *   challenge (RFC 9700 §2.1.1, PKCE downgrade);
 * - without `generateToken`, when `openid` was granted, the client's `id_token_signed_response_alg`
 *   must be one this provider signs with (else `unauthorized_client`, RFC 6749 §5.2);
 * - then the code is consumed atomically: of concurrent requests exactly one gets it, and any other
 *   is a replay;
 * - last, the verifier must match the stored challenge (RFC 7636 §4.6, constant-time), else
 *   `invalid_grant`: a wrong verifier spends the code, so no code can be guessed at twice.
 * A code of another flow at the same token endpoint (MultipleFlowsBuilder) is left, unconsumed, to
 * the flows after this one. The handler context then gets `authorization`
 * ({@link AuthorizationCodeData}). Without `generateToken`, the default handler issues the tokens
 * ({@link issueTokens}): an access token, a refresh token where {@link shouldIssueRefreshToken}
 * allows it, and an ID token when `openid` was granted (with `nonce`, `auth_time`, `acr`, `amr`,
 * `at_hash`, signed with the client's `id_token_signed_response_alg`, RS256 by default).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.3
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.6
 */
export const coreAuthorizationCodeGrant: GrantDefinition<Params> = {
  ...authorizationCodeGrant,
  resolve: redeemAuthorizationCode,
  defaultHandler: issueAuthorizationCodeTokens,
}

async function redeemAuthorizationCode({ params, client, flow, runtime }: Omit<DefaultGrantInput<Params>, 'scopes' | 'resolved'>): Promise<Record<string, unknown> | NotThisFlow> {
  const { store } = runtime.config
  const id = sha256(params.code)
  const entry = (await store.get('authorization_code', id)) as AuthorizationCodeEntry | undefined

  // With several flows at one token endpoint, a code of another flow (or one the core does not
  // know, which a user handler after this one may) is left to the flows after this one.
  if (entry === undefined || entry.flow !== flow.name) {
    const after = codeFlowsAfter(runtime, flow)
    if (entry === undefined ? after.length > 0 : after.some((f) => f.name === entry.flow)) return new NotThisFlow(unusableCode())
    throw unusableCode()
  }
  // RFC 6749 §4.1.3: "require client authentication for confidential clients ... authenticate the
  // client if client authentication is included": a secret the core cannot check proves nothing.
  requireVerifiedClient(client, { methods: flow.authMethods, realm: runtime.config.issuer })
  if (entry.consumedAt !== undefined) return await answerReplay(entry, runtime)
  if (runtime.config.now() >= entry.codeExpiresAt) throw unusableCode()
  // RFC 6749 §4.1.3: "ensure that the authorization code was issued to the authenticated confidential
  // client, or if the client is public, ensure that the code was issued to client_id in the request".
  // Not consumed: the client it was issued to may still redeem it.
  if (entry.clientId !== client.clientId) throw unusableCode()
  // RFC 6749 §4.1.3: redirect_uri is required if it was in the authorization request, and identical.
  if (entry.redirectUriGiven && params.redirect_uri === undefined) {
    throw new OAuth2Error('invalid_grant', 'The redirect_uri of the authorization request is required.')
  }
  if (params.redirect_uri !== undefined && params.redirect_uri !== entry.redirectUri) {
    throw new OAuth2Error('invalid_grant', 'The redirect_uri does not match the authorization request.')
  }
  if (entry.codeChallenge !== undefined && params.code_verifier === undefined) {
    throw new OAuth2Error('invalid_grant', 'The code_verifier is required: the authorization request had a code_challenge.')
  }
  if (entry.codeChallenge === undefined && params.code_verifier !== undefined) {
    // RFC 9700 §2.1.1: a code_verifier for a code issued without code_challenge MUST be rejected.
    throw new OAuth2Error('invalid_grant', 'The authorization request had no code_challenge, so no code_verifier is accepted.')
  }
  // The core's own issuance refuses a client it cannot sign ID tokens for before the code is spent:
  // the client may fix its registration and redeem it.
  if (issuesIdToken(flow, entry.scope) && !userRedeems(flow)) clientIdTokenAlgorithm(client.client)

  // Single use: of concurrent requests, the one that consumes it gets the tokens.
  const before = (await store.consume('authorization_code', id)) as AuthorizationCodeEntry | undefined
  if (before === undefined) throw unusableCode()
  if (before.consumedAt !== undefined) return await answerReplay(before, runtime)
  // RFC 7636 §4.6, checked on the consumed code: a wrong verifier spends it, so each code allows
  // one guess, whoever makes it (an interceptor can name a public client's client_id).
  if (entry.codeChallenge !== undefined && !verifyCodeVerifier(params.code_verifier!, entry.codeChallenge, entry.codeChallengeMethod ?? 'plain')) {
    throw new OAuth2Error('invalid_grant', 'The code_verifier does not match the code_challenge (RFC 7636 §4.6).')
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
    } satisfies AuthorizationCodeData,
  }
}

/**
 * RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization server MUST
 * deny the request and SHOULD revoke (when possible) all tokens previously issued based on that
 * authorization code." Whoever presents it: a used code in other hands is a leaked one.
 */
async function answerReplay(entry: AuthorizationCodeEntry, runtime: ProviderRuntime): Promise<never> {
  await revokeGrant(runtime, entry.grantId, { type: 'authorization_code_reuse', clientId: entry.clientId })
  throw unusableCode('authorization code reuse detected (RFC 6749 §4.1.2)')
}

/** Unknown, expired, used, or another client's: one answer, so that it tells nothing about the code. */
function unusableCode(detail?: string): OAuth2Error {
  return new OAuth2Error('invalid_grant', 'The authorization code is invalid, expired or already used.', detail !== undefined ? { detail } : {})
}

/** Whether the flow's `generateToken` answers authorization_code (then it issues the tokens, not the core). */
function userRedeems(flow: FlowConfig): boolean {
  return flow.grants.some((g) => g.grant.grantType === GrantType.AUTHORIZATION_CODE && g.generateToken !== undefined)
}

/** The path of a flow's authorization_code grant, if it serves one. */
function codePath(flow: FlowConfig): string | undefined {
  return flow.grants.find((g) => g.grant.grantType === GrantType.AUTHORIZATION_CODE)?.path
}

/** The flows after `flow` that serve authorization_code at the same path (the token endpoint tries them next). */
function codeFlowsAfter(runtime: ProviderRuntime, flow: FlowConfig): FlowConfig[] {
  const path = codePath(flow)
  const flows = runtime.config.flows.filter((f) => codePath(f) === path)
  const index = flows.indexOf(flow)
  return index < 0 ? [] : flows.slice(index + 1)
}

async function issueAuthorizationCodeTokens({ resolved, client, flow, runtime }: DefaultGrantInput<Params>): Promise<TokenHandlerResult> {
  const data = (resolved as { authorization?: AuthorizationCodeData }).authorization
  if (data === undefined) throw new Error('The authorization code was not redeemed before the default handler ran.')
  return await issueUserGrantTokens(data, { client, flow, runtime })
}
