import type { JWK } from 'jose'

/** The client authentication methods of the IANA registry this library implements. */
export type ClientAuthMethodName =
  | 'none'
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'

/**
 * A registered client, in RFC 7591 §2 metadata. Fields the library does not know are kept and ignored.
 * An optional field set to `undefined` is the same as one left out (`client_secret: process.env.X`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7591#section-2
 */
export interface ClientMetadata {
  client_id: string
  /** The shared secret (`client_secret_basic`, `client_secret_post`, `client_secret_jwt`). */
  client_secret?: string | undefined
  /** Unix time in seconds after which the secret is refused; 0 or absent means never (RFC 7591 §3.2.1). */
  client_secret_expires_at?: number | undefined
  /** Defaults to `client_secret_basic` (RFC 7591 §2). */
  token_endpoint_auth_method?: ClientAuthMethodName | (string & {}) | undefined
  /** Pins the algorithm of `client_secret_jwt` / `private_key_jwt` assertions. */
  token_endpoint_auth_signing_alg?: string | undefined
  /** Public keys for `private_key_jwt`. */
  jwks?: { keys: JWK[] } | undefined
  /** Defaults to `['authorization_code']` (RFC 7591 §2). */
  grant_types?: string[] | undefined
  /** Defaults to `['code']` (RFC 7591 §2). */
  response_types?: string[] | undefined
  redirect_uris?: string[] | undefined
  /** Space-separated scopes the client may request (RFC 7591 §2). */
  scope?: string | undefined
  /** Algorithm of the client's ID tokens; RS256 when absent (OpenID Connect Dynamic Registration §2). */
  id_token_signed_response_alg?: string | undefined
  client_name?: string | undefined
  [field: string]: unknown
}

/** Looks a client up by `client_id`; `undefined` or `null` when there is none. */
export type FindClient = (clientId: string) => Promise<ClientMetadata | undefined | null> | ClientMetadata | undefined | null
