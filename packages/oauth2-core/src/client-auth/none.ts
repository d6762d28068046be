import type { AuthenticatedClient, ClientAuthContext, ClientAuthMethod } from './client-auth-method.js'
import type { PresentedCredentials } from './presented-credentials.js'

/**
 * `none`: a public client that only identifies itself with `client_id` (RFC 6749 §2.1, §3.2.1);
 * such clients need PKCE in the authorization code flow.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export class NoneAuthMethod implements ClientAuthMethod {
  readonly name = 'none' as const

  authenticate(credentials: PresentedCredentials & { method: 'none' | string }, context: ClientAuthContext): Promise<AuthenticatedClient> {
    return Promise.resolve({
      clientId: credentials.clientId!,
      method: 'none',
      clientSecret: undefined,
      client: context.client,
      verified: context.client !== undefined,
    })
  }
}
