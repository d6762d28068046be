import type { AuthenticatedClient, ClientAuthContext, ClientAuthMethod } from './client-auth-method.js'
import { authenticateWithSecret } from './client-secret-basic.js'
import type { PresentedCredentials } from './presented-credentials.js'

/**
 * `client_secret_post`: `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1, which
 * recommends Basic instead).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1
 */
export class ClientSecretPost implements ClientAuthMethod {
  readonly name = 'client_secret_post' as const

  authenticate(credentials: PresentedCredentials, context: ClientAuthContext): AuthenticatedClient {
    return authenticateWithSecret(this.name, credentials as { clientId: string; clientSecret: string }, context)
  }
}
