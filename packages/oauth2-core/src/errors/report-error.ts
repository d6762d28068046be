import type { ErrorHook } from '../config.js'
import type { OAuth2Request } from '../types.js'

/**
 * Hands an unexpected error to the provider's `onError` hook. A hook that throws is ignored: the
 * client's answer (a 500, or the authorization endpoint's `server_error` redirect) does not depend
 * on it, and a failing hook must never turn that answer into a rejection.
 */
export function reportError(onError: ErrorHook | undefined, error: unknown, request: OAuth2Request): void {
  try {
    onError?.(error, request)
  } catch {
    // Ignored, as said above.
  }
}
