import type { OAuth2Store, StoredEntry } from '../stores/oauth2-store.js'
import { sha256 } from './hash.js'

/**
 * What the core remembers of one device authorization (kind `device_code`, id = SHA-256 of the
 * device code). Written at issue time, then once more by the verification page when the user
 * decides; the token endpoint only reads it and, on approval, consumes it.
 *
 * The polling state lives in its own entry ({@link DevicePollEntry}) so that a poll never rewrites
 * this one: a poll that read `pending` just before the user approved would otherwise put `pending`
 * back and lose the approval.
 */
export interface DeviceCodeEntry extends StoredEntry {
  grantId: string
  clientId: string
  /** The flow (strategy name) that issued it: another flow of a `MultipleFlowsBuilder` does not redeem it. */
  flow: string
  /** Requested scope tokens; after approval, the granted ones. */
  scope: string[]
  status: 'pending' | 'approved' | 'denied'
  /** The polling interval announced at issue time, seconds (RFC 8628 §3.2 `interval`). */
  interval: number
  /** When the codes were issued and when they expire (epoch ms; RFC 8628 §3.2 `expires_in`). */
  issuedAt: number
  expiresAt: number
  /** SHA-256 of the normalized user code, to retire it once the user has decided. */
  userCodeId: string
  /** Set on approval: the user, and what the ID token says about the authentication. */
  sub?: string
  authTime?: number
  acr?: string
  amr?: string[]
  claims?: Record<string, unknown>
  /** When the user approved or denied (epoch ms). */
  decidedAt?: number
}

/** A user code (kind `user_code`, id = SHA-256 of the normalized code): which device code it stands for. */
export interface UserCodeEntry extends StoredEntry {
  grantId: string
  deviceCodeId: string
}

/**
 * The polling window of one device code (kind `rate_limit`, id `device_poll:<device code hash>`):
 * live for the current interval after a poll; a poll that finds it live came too soon (RFC 8628 §3.5).
 */
export interface DevicePollEntry extends StoredEntry {
  /** Its grant's: revoking the grant removes it with the rest. The interval is the entry's lifetime. */
  grantId: string
}

/** The store id of a device code. */
export function deviceCodeId(deviceCode: string): string {
  return sha256(deviceCode)
}

/** The store id of a normalized user code. */
export function userCodeId(normalizedUserCode: string): string {
  return sha256(`user_code:${normalizedUserCode}`)
}

/** The store id of a device code's polling window. */
export function devicePollId(deviceCodeHash: string): string {
  return `device_poll:${deviceCodeHash}`
}

/** The store id of a device code's slow_down counter (its slots: `<id>#<n>`, internal/rate-limit.ts). */
export function deviceSlowDownId(deviceCodeHash: string): string {
  return `device_slow_down:${deviceCodeHash}`
}

/**
 * How long an entry is kept after the codes expire, so that a late poll is told `expired_token`
 * (RFC 8628 §3.5) rather than `invalid_grant`: as long again as the codes lived.
 */
export function retainUntil(entry: Pick<DeviceCodeEntry, 'issuedAt' | 'expiresAt'>): number {
  return entry.expiresAt + (entry.expiresAt - entry.issuedAt)
}

/** Reads a device code entry, or `undefined` when there is none (or it is not one the core wrote). */
export async function getDeviceCode(store: OAuth2Store, id: string): Promise<DeviceCodeEntry | undefined> {
  const entry = await store.get('device_code', id)
  return isDeviceCodeEntry(entry) ? entry : undefined
}

/** Whether a stored entry has the shape the core writes (a store shared with other software may hold anything). */
export function isDeviceCodeEntry(entry: StoredEntry | undefined): entry is DeviceCodeEntry {
  return (
    entry !== undefined &&
    typeof entry.grantId === 'string' &&
    typeof entry['clientId'] === 'string' &&
    typeof entry['flow'] === 'string' &&
    Array.isArray(entry['scope']) &&
    (entry['status'] === 'pending' || entry['status'] === 'approved' || entry['status'] === 'denied') &&
    typeof entry['interval'] === 'number' &&
    typeof entry['issuedAt'] === 'number' &&
    typeof entry['expiresAt'] === 'number' &&
    typeof entry['userCodeId'] === 'string'
  )
}
