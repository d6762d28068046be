import { SignJWT } from 'jose'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import { sha256 } from '../internal/hash.js'
import { randomToken } from '../internal/random.js'
import { verifyJwt } from '../tokens/verify-jwt.js'
import type { SignedInUser } from './types.js'

/** The JWT `typ` of login tickets: never accepted where an access or ID token is expected, nor the reverse. */
const TICKET_TYP = 'oauth2-login+jwt'

/** What binds a ticket: the request being authorized and the browser's CSRF token. */
export interface TicketBinding {
  /** The request's own fields (`PendingInteraction.carry`). */
  carry: Readonly<Record<string, string>>
  csrfToken: string
}

/**
 * Signs the proof that the user signed in, carried by the consent form from the sign-in to the
 * consent step so that no server session is needed. It is short-lived, signed with the provider's
 * keys (so every instance sharing the key store accepts it), and bound to the request and to the
 * browser's CSRF cookie: a ticket copied into another request, or another browser, is void.
 */
export async function issueLoginTicket(runtime: ProviderRuntime, user: SignedInUser, binding: TicketBinding, ttl: number): Promise<string> {
  const { config } = runtime
  const { kid, alg, key } = await runtime.keys.signingKey(config.accessTokenAlgorithm)
  const iat = Math.floor(config.now() / 1000)
  return new SignJWT({
    sub: user.sub,
    auth_time: user.authTime,
    ...(user.acr !== undefined ? { acr: user.acr } : {}),
    ...(user.amr !== undefined ? { amr: user.amr } : {}),
    bnd: bindingHash(binding.carry),
    csh: sha256(binding.csrfToken),
  })
    .setProtectedHeader({ alg, kid, typ: TICKET_TYP })
    .setIssuer(config.issuer)
    .setAudience(config.issuer)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .setJti(randomToken(16))
    .sign(key)
}

/**
 * Verifies a login ticket (signature, `typ`, issuer, audience, expiry, both bindings) and spends it:
 * a ticket is accepted once. `undefined` when anything fails.
 */
export async function redeemLoginTicket(runtime: ProviderRuntime, ticket: string | undefined, binding: TicketBinding): Promise<SignedInUser | undefined> {
  if (ticket === undefined || ticket.length > 8192) return undefined
  const { config } = runtime
  const payload = await verifyJwt(ticket, { typ: TICKET_TYP, audience: config.issuer }, { keys: runtime.keys, issuer: config.issuer, now: config.now() })
  if (payload === null) return undefined
  const { sub, auth_time: authTime, acr, amr, bnd, csh, jti, exp } = payload as Record<string, unknown>
  if (typeof sub !== 'string' || typeof authTime !== 'number' || typeof jti !== 'string' || typeof exp !== 'number') return undefined
  // lint-core-allow secret-equality: bnd and csh come from a ticket whose signature was just verified, so no guess reaches this compare; the CSRF token itself was compared in constant time by checkCsrf.
  if (bnd !== bindingHash(binding.carry) || csh !== sha256(binding.csrfToken)) return undefined
  // Single use: a double-submitted consent form yields one authorization, not two.
  if (!(await config.replayStore.consume(`login-ticket:${jti}`, exp * 1000))) return undefined
  return {
    sub,
    authTime,
    ...(typeof acr === 'string' ? { acr } : {}),
    ...(Array.isArray(amr) && amr.every((m) => typeof m === 'string') ? { amr: amr as string[] } : {}),
  }
}

/** A hash of the request's fields, independent of their order. */
function bindingHash(carry: Readonly<Record<string, string>>): string {
  const entries = Object.entries(carry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return sha256(JSON.stringify(entries))
}
