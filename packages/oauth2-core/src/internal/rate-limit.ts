import type { OAuth2Store } from '../stores/oauth2-store.js'

/**
 * An attempt counter in the store (kind `rate_limit`) that holds under concurrency with only the
 * store's atomic primitive: attempt number `i` claims slot `<id>#i` with `setIfAbsent`, so of any
 * number of parallel requests at most `limit` succeed. A plain `count` entry remembers where the
 * free slots start, so a request usually needs one or two store calls; a stale hint only costs a
 * few more calls, never an extra attempt.
 *
 * All slots expire at `expiresAt`, which ends the window.
 */
export interface AttemptCounter {
  /** The counter's id (without slot suffix). */
  id: string
  /** Attempts allowed before `expiresAt`. */
  limit: number
  /** When the counter resets (epoch ms). */
  expiresAt: number
}

/** Counts one attempt; `false` when the limit was already reached (the attempt is refused). */
export async function takeAttempt(store: OAuth2Store, counter: AttemptCounter): Promise<boolean> {
  return (await claimSlot(store, counter)) !== undefined
}

/**
 * Counts one attempt and says which it was: the slot claimed (0 for the first attempt), or
 * `undefined` when the limit was already reached. Of concurrent callers, each gets a slot of its
 * own: the count is exact whatever the store's latency.
 */
export async function claimSlot(store: OAuth2Store, counter: AttemptCounter): Promise<number | undefined> {
  let slot = await takenHint(store, counter.id)
  for (; slot < counter.limit; slot++) {
    if (await store.setIfAbsent('rate_limit', `${counter.id}#${slot}`, {}, counter.expiresAt)) {
      await store.set('rate_limit', counter.id, { count: slot + 1 }, counter.expiresAt)
      return slot
    }
  }
  return undefined
}

/** How many attempts the counter has counted, as far as its hint knows (never more than were taken). */
export async function takenHint(store: OAuth2Store, id: string): Promise<number> {
  const hint = await store.get('rate_limit', id)
  return typeof hint?.['count'] === 'number' && Number.isInteger(hint['count']) ? Math.max(0, hint['count']) : 0
}

/** Whether the limit is reached (the last slot is taken), without counting an attempt. */
export async function isExhausted(store: OAuth2Store, counter: AttemptCounter): Promise<boolean> {
  return (await store.get('rate_limit', `${counter.id}#${counter.limit - 1}`)) !== undefined
}

/** A fixed window of `windowMs` containing `now`: its index and end. */
export function fixedWindow(now: number, windowMs: number): { index: number; end: number } {
  const index = Math.floor(now / windowMs)
  return { index, end: (index + 1) * windowMs }
}
