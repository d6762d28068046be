import * as v from 'valibot'
import { requireVerifiedClient } from '../client-auth/endpoint-policy.js'
import type { FlowConfig } from '../config.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { sha256 } from '../internal/hash.js'
import { requiredVschar, scopeParam } from '../schemas/common.js'
import { issueTokenSet, revokeGrant, sweepIfRevoked, type GrantRecord, type RefreshTokenEntry } from '../tokens/issue-tokens.js'
import type { DefaultGrantInput, GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'
import type { TokenHandlerResult } from './token-context.js'

const schema = v.object({ refresh_token: requiredVschar('refresh_token'), scope: scopeParam })

type RefreshParams = v.InferOutput<typeof schema>

/**
 * How long a consumed refresh token without a recorded successor counts as "being rotated by a
 * concurrent request" (answered `invalid_grant` without revoking) rather than as a reuse. The
 * rotating request records its successor within milliseconds, or undoes the rotation when it fails;
 * the bound only matters when the undo failed too (the store down), after which a reuse revokes the
 * grant as usual.
 */
export const ROTATION_IN_FLIGHT_MS = 10_000

/**
 * `refresh_token` (RFC 6749 §6): `refresh_token` required, `scope` optional.
 *
 * Its default handler (no `generateToken`) implements RFC 9700 §4.14.2 and OAuth 2.1 §4.3.1 on the
 * store: the token must be one the core issued, to this client, and unexpired (idle and absolute
 * lifetimes); the scope may be narrowed, never widened (`invalid_scope`); the token is consumed
 * atomically and rotated, so of two concurrent requests with it exactly one succeeds; a rotated
 * token presented again revokes the whole grant (every refresh and access token), except once
 * within the flow's grace window while its successor is still unused.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.14.2
 */
export const refreshTokenGrant: GrantDefinition<RefreshParams> = {
  grantType: GrantType.REFRESH_TOKEN,
  schema,
  scope: (params) => params.scope,
  fields: (params) => ({ refreshToken: params.refresh_token }),
  defaultHandler: rotateRefreshToken,
}

async function rotateRefreshToken({ params, scopes, client, flow, runtime }: DefaultGrantInput<RefreshParams>): Promise<TokenHandlerResult> {
  const { config } = runtime
  const { store } = config
  requireVerifiedClient(client, { methods: flow.authMethods, realm: config.issuer })
  const now = config.now()
  const id = sha256(params.refresh_token)
  const found = (await store.get('refresh_token', id)) as RefreshTokenEntry | undefined

  // With several flows at one token endpoint, a token of another flow (or one the core does not
  // know, which a user handler after this one may) is left to the flows after this one.
  if (found === undefined) {
    if (refreshFlowsAfter(runtime, flow).length > 0) return null
    throw invalidGrant('The refresh token is invalid, expired or revoked.')
  }
  if (found.flow !== undefined && found.flow !== flow.name && servesRefresh(runtime, found.flow)) {
    if (refreshFlowsAfter(runtime, flow).some((f) => f.name === found.flow)) return null
    throw invalidGrant('The refresh token is invalid, expired or revoked.')
  }

  // RFC 6749 §6, §10.4: bound to the client it was issued to. Not consumed: its owner may still use it.
  if (found.clientId !== client.clientId || (isConfidential(found) && client.method === 'none')) {
    throw invalidGrant('The refresh token was not issued to this client.')
  }
  // RFC 6749 §6: the scope "MUST NOT include any scope not originally granted"; omitted means all of it.
  const requested = scopes.length > 0 ? scopes : found.scope
  const widened = requested.filter((s) => !found.scope.includes(s))
  if (widened.length > 0) {
    throw new OAuth2Error('invalid_scope', `The requested scope exceeds the scope originally granted: ${widened.join(' ')}.`)
  }
  // RFC 9700 §4.14.2: rotation never extends the absolute lifetime (the store's expiry enforces the
  // idle one; this guards a store that kept the entry longer).
  if (now >= familyEnd(found, flow) || (found.expiresAt !== undefined && now >= found.expiresAt && found.rotatedAt === undefined)) {
    throw invalidGrant('The refresh token has expired.')
  }

  const before = (await store.consume('refresh_token', id)) as RefreshTokenEntry | undefined
  if (before === undefined) throw invalidGrant('The refresh token is invalid, expired or revoked.')
  if (before.consumedAt === undefined && before.rotatedAt === undefined) {
    // This request consumed it: rotate (RFC 9700 §4.14.2 "issues a new refresh token with every
    // access token refresh response"). The replaced token stays, consumed, until the family ends:
    // presenting it again is a reuse.
    return await issueSuccessor(before, id, requested, { consumedAt: now, rotatedAt: now }, { client, flow, runtime }, true)
  }
  return await answerReuse(before, id, requested, { client, flow, runtime })
}

/** A consumed token came back: a concurrent request, a lost response within the grace window, or a reuse. */
async function answerReuse(
  before: RefreshTokenEntry,
  id: string,
  requested: string[],
  { client, flow, runtime }: Pick<DefaultGrantInput<RefreshParams>, 'client' | 'flow' | 'runtime'>,
): Promise<TokenHandlerResult> {
  const { store } = runtime.config
  const now = runtime.config.now()
  if (before.superseded !== true && before.successorId === undefined) {
    // Consumed, successor not yet recorded: another request is rotating it right now.
    const since = before.consumedAt ?? now
    if (now - since < ROTATION_IN_FLIGHT_MS) throw invalidGrant('The refresh token is being used by a concurrent request.')
  }

  const grace = (flow.refreshTokenGracePeriod ?? 0) * 1000
  if (
    grace > 0 &&
    before.superseded !== true &&
    before.retried !== true &&
    before.successorId !== undefined &&
    before.rotatedAt !== undefined &&
    now - before.rotatedAt < grace
  ) {
    // The one retry: consuming the successor atomically both proves it was never used (the
    // response that carried it was lost) and makes sure only one retry wins.
    const successor = (await store.consume('refresh_token', before.successorId)) as RefreshTokenEntry | undefined
    if (successor !== undefined && successor.consumedAt === undefined) {
      if (before.successorAccessTokenId !== undefined) await store.delete('access_token', before.successorAccessTokenId)
      await store.set('refresh_token', before.successorId, { ...successor, consumedAt: now, superseded: true }, familyEnd(before, flow))
      return await issueSuccessor(before, id, requested, { retried: true }, { client, flow, runtime })
    }
  }

  // RFC 9700 §4.14.2: "the authorization server cannot determine which party submitted the invalid
  // refresh token; it will revoke the active refresh token" - and with it the whole grant.
  await revokeGrant(runtime, before.grantId, { type: 'refresh_token_reuse', clientId: before.clientId })
  throw invalidGrant('The refresh token was already used; the grant has been revoked.', 'refresh token reuse detected (RFC 9700 §4.14.2)')
}

/**
 * Issues the tokens that succeed `before` in its family (same grant, same family start, so rotation
 * never extends the absolute lifetime: RFC 9700 §4.14.2), and records on `before`, under its store
 * id, `changes` and the ids of its successor.
 *
 * `undoOnFailure`: this request consumed `before`. If the rotation then fails (a store error, a
 * signature that fails: this request gets a 500), it is undone ({@link undoRotation}), so that the
 * client's retry rotates the token again instead of counting as a reuse that revokes the grant.
 */
async function issueSuccessor(
  before: RefreshTokenEntry,
  id: string,
  requested: string[],
  changes: Pick<RefreshTokenEntry, 'consumedAt' | 'rotatedAt' | 'retried'>,
  { client, flow, runtime }: Pick<DefaultGrantInput<RefreshParams>, 'client' | 'flow' | 'runtime'>,
  undoOnFailure = false,
): Promise<TokenHandlerResult> {
  let written: { accessTokenId: string; refreshTokenId: string | undefined } | undefined
  try {
    const issued = await issueTokenSet({
      grant: grantOf(before),
      accessTokenScope: requested,
      flow,
      runtime,
      client: client.client,
      refreshToken: true,
      familyCreatedAt: before.familyCreatedAt,
      clientAuthMethod: before.clientAuthMethod ?? client.method,
      // The replaced token records its successor as soon as the successor is written (while a JWT
      // access token is still being signed), before the grant's revocation check.
      onRecorded: (ids) => {
        written = ids
        // Changed member by member on the copy the store handed out (its own): spreading a refresh
        // entry cost more than the rest of this function (bench/RESULTS.md).
        const updated = before
        if (changes.consumedAt !== undefined) updated.consumedAt = changes.consumedAt
        if (changes.rotatedAt !== undefined) updated.rotatedAt = changes.rotatedAt
        if (changes.retried !== undefined) updated.retried = changes.retried
        if (ids.refreshTokenId !== undefined) updated.successorId = ids.refreshTokenId
        updated.successorAccessTokenId = ids.accessTokenId
        return runtime.config.store.set('refresh_token', id, updated, familyEnd(before, flow))
      },
    })
    return issued.body
  } catch (error) {
    // A revoked grant (invalid_grant) stays revoked: nothing to undo.
    const revoked = error instanceof OAuth2Error && error.error === 'invalid_grant'
    // Best effort: this request's own error is what the client gets and onError sees. If the store
    // fails here too, the rotation stays as it was left (a retry then counts as a reuse).
    if (undoOnFailure && !revoked) await undoRotation(before, id, written, flow, runtime).catch(() => {})
    throw error
  }
}

/**
 * Undoes a rotation that failed after this request consumed the token: the successor's tokens, never
 * delivered, are deleted, and the presented token is put back unconsumed, with its own expiry. A
 * grant revoked meanwhile stays revoked: revokeGrant() leaves its marker before it deletes, so either
 * it deleted the entry put back here, or the check after the write sees the marker.
 */
async function undoRotation(
  before: RefreshTokenEntry,
  id: string,
  written: { accessTokenId: string; refreshTokenId: string | undefined } | undefined,
  flow: FlowConfig,
  runtime: ProviderRuntime,
): Promise<void> {
  const { store } = runtime.config
  if (written !== undefined) {
    if (written.refreshTokenId !== undefined) await store.delete('refresh_token', written.refreshTokenId)
    await store.delete('access_token', written.accessTokenId)
  }
  // On the rotation path the token had none of these before this request consumed it.
  delete before.consumedAt
  delete before.rotatedAt
  delete before.successorId
  delete before.successorAccessTokenId
  await store.set('refresh_token', id, before, before.expiresAt ?? familyEnd(before, flow))
  await sweepIfRevoked(runtime, before.grantId)
}

/** The grant a refresh token carries, without its bookkeeping fields. */
function grantOf(entry: RefreshTokenEntry): GrantRecord {
  const grant: GrantRecord = { grantId: entry.grantId, clientId: entry.clientId, sub: entry.sub, scope: entry.scope }
  if (entry.authTime !== undefined) grant.authTime = entry.authTime
  if (entry.acr !== undefined) grant.acr = entry.acr
  if (entry.amr !== undefined) grant.amr = entry.amr
  if (entry.claims !== undefined) grant.claims = entry.claims
  return grant
}

/** When the family's absolute lifetime ends (epoch ms). */
function familyEnd(entry: RefreshTokenEntry, flow: FlowConfig): number {
  return entry.familyCreatedAt + flow.refreshTokenAbsoluteTtl * 1000
}

/** Issued to a client that authenticated with a credential: a bare `client_id` must not redeem it. */
function isConfidential(entry: RefreshTokenEntry): boolean {
  return entry.clientAuthMethod !== undefined && entry.clientAuthMethod !== 'none'
}

function invalidGrant(description: string, detail?: string): OAuth2Error {
  return new OAuth2Error('invalid_grant', description, detail !== undefined ? { detail } : {})
}

/** The path of a flow's refresh_token grant, if it serves one. */
function refreshPath(flow: FlowConfig): string | undefined {
  return flow.grants.find((g) => g.grant.grantType === GrantType.REFRESH_TOKEN)?.path
}

/** Whether a flow of this name serves refresh_token. */
function servesRefresh(runtime: ProviderRuntime, name: string): boolean {
  return runtime.config.flows.some((f) => f.name === name && refreshPath(f) !== undefined)
}

/** The flows after `flow` that serve refresh_token at the same path (the token endpoint tries them next). */
function refreshFlowsAfter(runtime: ProviderRuntime, flow: FlowConfig): FlowConfig[] {
  const path = refreshPath(flow)
  const flows = runtime.config.flows.filter((f) => refreshPath(f) === path)
  const index = flows.indexOf(flow)
  return index < 0 ? [] : flows.slice(index + 1)
}
