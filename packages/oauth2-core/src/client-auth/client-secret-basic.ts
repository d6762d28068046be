import type { AuthenticatedClient, ClientAuthContext, ClientAuthMethod } from './client-auth-method.js'
import type { PresentedCredentials } from './presented-credentials.js'
import { verifySharedSecret } from './shared-secret.js'

/**
 * `client_secret_basic`: HTTP Basic with the form-url-encoded client_id and secret (RFC 6749 §2.3.1).
 * A `:` in the secret works; the credentials are decoded before comparison.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export class ClientSecretBasic implements ClientAuthMethod {
  readonly name = 'client_secret_basic' as const

  authenticate(credentials: PresentedCredentials, context: ClientAuthContext): AuthenticatedClient {
    return authenticateWithSecret(this.name, credentials as { clientId: string; clientSecret: string }, context)
  }
}

/** Shared by `client_secret_basic` and `client_secret_post`: only where the secret travels differs. */
export function authenticateWithSecret(
  method: 'client_secret_basic' | 'client_secret_post',
  credentials: { clientId: string; clientSecret: string },
  context: ClientAuthContext,
): AuthenticatedClient {
  if (context.client !== undefined) verifySharedSecret(context.client, credentials.clientSecret, context.now)
  return {
    clientId: credentials.clientId,
    method,
    clientSecret: credentials.clientSecret,
    client: context.client,
    verified: context.client !== undefined,
  }
}
