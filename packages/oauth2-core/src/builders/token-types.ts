import type { TokenType } from '../config.js'

/**
 * Bearer tokens (RFC 6750): `token_type` `Bearer`, sent as `Authorization: Bearer <token>`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750
 */
export class BearerToken implements TokenType {
  readonly prefix = 'Bearer'
}
