import * as v from 'valibot'
import { challengeInvalidClient } from '../client-auth/authenticate-client.js'
import type { AuthenticatedClient } from '../client-auth/client-auth-method.js'
import type { FlowConfig } from '../config.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { OAuth2Error } from '../errors/oauth2-error.js'
import { deviceCodeId, devicePollId, deviceSlowDownId, getDeviceCode, retainUntil, type DevicePollEntry } from '../internal/device-records.js'
import { claimSlot, takenHint, type AttemptCounter } from '../internal/rate-limit.js'
import { requiredVschar } from '../schemas/common.js'
import { sweepIfRevoked } from '../tokens/issue-tokens.js'
import type { DefaultGrantInput, GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'
import type { TokenHandlerResult } from './token-context.js'
import { issueUserGrantTokens } from './user-grant.js'

const schema = v.object({ device_code: requiredVschar('device_code') })
type Params = v.InferOutput<typeof schema>

/** RFC 8628 §3.5: on `slow_down` "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
export const SLOW_DOWN_INCREMENT = 5
/** How many slow_down answers grow a device code's interval (each is one store entry); later ones keep the largest interval. */
export const MAX_SLOW_DOWNS = 100

/** What the user approved on the verification page, as the token handler receives it (`deviceAuthorization`). */
export interface DeviceAuthorizationData {
  /** Ties every token of this authorization together; revoking it revokes them all. */
  grantId: string
  clientId: string
  /** The user who approved. */
  sub: string
  /** The granted scope tokens. */
  scopes: string[]
  /** When the user authenticated, epoch seconds (OIDC `auth_time`). */
  authTime: number
  acr?: string
  amr?: string[]
}

/**
 * `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4) for codes the user's
 * `generateCode` issued: `device_code` required; the user's `generateToken` answers (kaapi's contract).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export const deviceCodeGrant: GrantDefinition<Params> = {
  grantType: GrantType.DEVICE_CODE,
  schema,
  scope: () => undefined,
  fields: (params) => ({ deviceCode: params.device_code }),
}

/**
 * The device code grant for codes the core issued (RFC 8628 §3.4, §3.5). Before any handler runs,
 * the poll is answered from the store:
 * - `authorization_pending` while the user has not decided;
 * - `slow_down` when a poll comes sooner than the previous one plus the interval; the interval of
 *   that device code then grows by 5 seconds, persisted. The first poll is never throttled;
 * - `access_denied` once the user denied, `expired_token` once the codes expired;
 * - `invalid_grant` for an unknown, used, or another client's device code;
 * - once approved, the device code is consumed atomically, so of two concurrent polls exactly one
 *   gets tokens (the other `invalid_grant`), and the handler context gets `deviceAuthorization`.
 * Without `generateToken`, the default handler then issues the tokens ({@link issueTokens}): an
 * access token, a refresh token where {@link shouldIssueRefreshToken} allows it, and an ID token when
 * `openid` was granted; if that fails (a store error), the device code is put back unconsumed, so
 * the next poll gets the tokens. A device code the core does not know reaches a user `generateToken`
 * unchanged (codes from elsewhere, as in kaapi), and is `invalid_grant` for the default handler.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export const coreDeviceCodeGrant: GrantDefinition<Params> = {
  ...deviceCodeGrant,
  resolve: answerDevicePoll,
  defaultHandler: issueDeviceTokens,
}

async function answerDevicePoll({ params, client, flow, runtime }: Omit<DefaultGrantInput<Params>, 'scopes' | 'resolved'>): Promise<Record<string, unknown>> {
  const { store } = runtime.config
  const now = runtime.config.now()
  const id = deviceCodeId(params.device_code)
  const entry = await getDeviceCode(store, id)
  if (entry === undefined || entry.flow !== flow.name) {
    const userHandler = flow.grants.some((g) => g.grant.grantType === GrantType.DEVICE_CODE && g.generateToken !== undefined)
    if (userHandler) return {}
    throw new OAuth2Error('invalid_grant', 'The device_code is invalid.')
  }
  requireVerifiedClient(client, flow, runtime.config.issuer)
  // RFC 6749 §5.2 invalid_grant: "issued to another client".
  if (entry.clientId !== client.clientId) throw new OAuth2Error('invalid_grant', 'The device_code was issued to another client.')
  if (entry.consumedAt !== undefined) throw new OAuth2Error('invalid_grant', 'The device_code has already been used.')
  if (now >= entry.expiresAt) {
    throw new OAuth2Error('expired_token', 'The device_code has expired; start a new device authorization request.')
  }
  if (entry.status === 'denied') throw new OAuth2Error('access_denied', 'The user denied the authorization request.')

  if (entry.status === 'approved' && entry.sub !== undefined && entry.authTime !== undefined) {
    // Single use: of concurrent polls, the one that consumes it gets tokens.
    const before = await store.consume('device_code', id)
    if (before === undefined || before.consumedAt !== undefined) throw new OAuth2Error('invalid_grant', 'The device_code has already been used.')
    await store.delete('rate_limit', devicePollId(id))
    const data: DeviceAuthorizationData = {
      grantId: entry.grantId,
      clientId: entry.clientId,
      sub: entry.sub,
      scopes: [...entry.scope],
      authTime: entry.authTime,
      ...(entry.acr !== undefined ? { acr: entry.acr } : {}),
      ...(entry.amr !== undefined ? { amr: entry.amr } : {}),
    }
    return { deviceAuthorization: data }
  }

  // Pending. RFC 8628 §3.5 slow_down: polled sooner than the interval after the previous poll. Kept
  // with the store's atomic setIfAbsent only, so that concurrent polls at instances sharing a slow
  // store are each counted (a read, then a write, would let several pass as on time and lose
  // increments): a poll claims the polling window, live for the current interval; the one that
  // claims it is on time, any other comes too soon and claims the next slow_down slot, each slot
  // 5 more seconds "for this and all subsequent requests".
  const pollId = devicePollId(id)
  // Each slow_down is one store entry: counted up to MAX_SLOW_DOWNS (the interval is then over
  // 8 minutes past its start, longer than a device code lives by default), so a client that polls in
  // a tight loop cannot grow the store without bound.
  const slowDowns: AttemptCounter = { id: deviceSlowDownId(id), limit: MAX_SLOW_DOWNS, expiresAt: retainUntil(entry) }
  const interval = entry.interval + SLOW_DOWN_INCREMENT * (await takenHint(store, slowDowns.id))
  const window: DevicePollEntry = { grantId: entry.grantId }
  if (await store.setIfAbsent('rate_limit', pollId, window, Math.min(now + interval * 1000, retainUntil(entry)))) {
    throw new OAuth2Error('authorization_pending', 'The user has not yet completed the authorization.')
  }
  const slot = (await claimSlot(store, slowDowns)) ?? MAX_SLOW_DOWNS - 1
  const slowed = entry.interval + SLOW_DOWN_INCREMENT * (slot + 1)
  // The window restarts at this poll, with the grown interval (a later write may shorten it by the
  // latency between two racing polls; the count above is exact).
  await store.set('rate_limit', pollId, window, Math.min(now + slowed * 1000, retainUntil(entry)))
  throw new OAuth2Error('slow_down', `Polling too fast: wait at least ${slowed} seconds between requests.`)
}

async function issueDeviceTokens({ params, resolved, client, flow, runtime }: DefaultGrantInput<Params>): Promise<TokenHandlerResult> {
  const data = (resolved as { deviceAuthorization?: DeviceAuthorizationData }).deviceAuthorization
  if (data === undefined) throw new OAuth2Error('invalid_grant', 'The device_code is invalid.')
  try {
    return await issueUserGrantTokens(data, { client, flow, runtime })
  } catch (error) {
    // A revoked grant (invalid_grant) stays revoked: nothing to undo.
    const revoked = error instanceof OAuth2Error && error.error === 'invalid_grant'
    // Best effort: this request's own error is what the client gets and onError sees. If the store
    // fails here too, the approval stays consumed (the next poll is invalid_grant).
    if (!revoked) await undoConsumption(deviceCodeId(params.device_code), runtime).catch(() => {})
    throw error
  }
}

/**
 * Puts back, unconsumed, a device code whose tokens could not be issued (a store or signing error:
 * this poll gets a 500), so that the device's next poll gets them rather than `invalid_grant` for
 * an approval the user gave and the device never received (RFC 8628 §3.5: the device polls until it
 * gets a definitive answer). As the refresh grant's undoRotation: a grant revoked meanwhile stays
 * revoked, since revokeGrant() leaves its marker before it deletes, so either it deleted the entry
 * put back here, or the check after the write sees the marker. Tokens written before the failure
 * were never delivered; they carry the grant's id, and go with it.
 */
async function undoConsumption(id: string, runtime: ProviderRuntime): Promise<void> {
  const { store } = runtime.config
  const entry = await getDeviceCode(store, id)
  if (entry === undefined || entry.consumedAt === undefined) return
  delete entry.consumedAt
  await store.set('device_code', id, entry, retainUntil(entry))
  await sweepIfRevoked(runtime, entry.grantId)
}

/**
 * The core's own device flow trusts a client only as far as it can check it: a public client is
 * just its `client_id` (RFC 6749 §2.1), but a secret or an assertion nobody verified (no client
 * lookup) proves nothing, so such a client is refused rather than served on its word.
 */
export function requireVerifiedClient(client: AuthenticatedClient, flow: FlowConfig, issuer: string): void {
  if (client.verified || client.method === 'none') return
  throw challengeInvalidClient(
    new OAuth2Error('invalid_client', 'Client authentication failed.', {
      detail: `the ${client.method} credentials of ${client.clientId} cannot be verified without a client lookup: configure findClient(fn) or a store with findClient`,
    }),
    client.method === 'client_secret_basic',
    { methods: flow.authMethods, realm: issuer },
  )
}
