import { basicAuth, CONTRACT_CLIENT } from './provider.js'

/** The token endpoint's content type (RFC 6749 §4.4.2). */
export const FORM = 'application/x-www-form-urlencoded'

/** `client_secret_basic` credentials of {@link CONTRACT_CLIENT} (RFC 6749 §2.3.1). */
export const CONTRACT_BASIC = basicAuth(CONTRACT_CLIENT.id, CONTRACT_CLIENT.secret)

/** A client_credentials token request body the test provider answers 200 with a deterministic body. */
export const CONTRACT_GRANT = 'grant_type=client_credentials&scope=read'

/**
 * POSTs a token request (with {@link CONTRACT_BASIC}) whose body is `count` chunks of `size` bytes,
 * streamed: `fetch` sends it chunked, without `Content-Length`, so only an adapter counting bytes as
 * they arrive can stop it at its cap.
 */
export function postStreamedTokenRequest(tokenUrl: string, count: number, size: number): Promise<Response> {
  let sent = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === count) controller.close()
      else controller.enqueue(new TextEncoder().encode('a'.repeat(size)))
    },
  })
  // `duplex` is required for a stream body, and missing from the DOM types of RequestInit.
  return fetch(tokenUrl, { method: 'POST', headers: { 'content-type': FORM, authorization: CONTRACT_BASIC }, body, duplex: 'half' } as RequestInit)
}
