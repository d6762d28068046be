import type { ErrorHook } from '../config.js'
import type { OAuth2Request } from '../types.js'

/**
 * Hands an unexpected error to the provider's `onError` hook. A hook that throws, or an async one
 * that rejects, is ignored: the client's answer (a 500, or the authorization endpoint's
 * `server_error` redirect) does not depend on it, and a failing hook must never turn that answer
 * into a rejection, nor end the process with an unhandled one.
 */
export function reportError(onError: ErrorHook | undefined, error: unknown, request: OAuth2Request): void {
  try {
    ignoreRejection(onError?.(error, request))
  } catch {
    // Ignored, as said above.
  }
}

/**
 * A hook typed to return nothing may still be an async function: its rejection is caught here, and
 * handed to `onRejection` when given (which must not throw), so that it never ends the process
 * (Node exits on an unhandled rejection).
 */
export function ignoreRejection(result: unknown, onRejection?: (reason: unknown) => void): void {
  if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
    ;(result as PromiseLike<unknown>).then(undefined, (reason: unknown) => onRejection?.(reason))
  }
}
