import * as v from 'valibot'
import { scopeParam } from './common.js'

/**
 * The device authorization request's own parameters (RFC 8628 §3.1): an optional `scope`.
 * `client_id` and client credentials are read by client authentication; anything else is dropped
 * (RFC 6749 §3.1, `v.object`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export const deviceAuthorizationRequestSchema = v.object({ scope: scopeParam })

/** The parsed device authorization request parameters. */
export type DeviceAuthorizationRequestParams = v.InferOutput<typeof deviceAuthorizationRequestSchema>
