/**
 * A security-relevant event the core detected and acted upon. Wire it to alerting: a reused refresh
 * token or authorization code means a credential leaked or a client misbehaves.
 */
export type SecurityEvent =
  | {
      /** RFC 9700 §4.14.2: a rotated refresh token came back; the whole grant was revoked. */
      type: 'refresh_token_reuse'
      grantId: string
      clientId: string
      /** Epoch ms. */
      at: number
    }
  | {
      /** RFC 6749 §4.1.2: an authorization code was redeemed twice; what it issued was revoked. */
      type: 'authorization_code_reuse'
      grantId: string
      clientId: string
      /** Epoch ms. */
      at: number
    }

/** Receives {@link SecurityEvent}s. It must not throw; if it does, the error goes to `onError`. */
export type SecurityEventHook = (event: SecurityEvent) => void
