import * as v from 'valibot'
import { scopeParam } from '../schemas/common.js'
import type { GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'

const schema = v.object({ scope: scopeParam })

/** `client_credentials` (RFC 6749 §4.4.2): only `scope`, and only confidential clients (§4.4). */
export const clientCredentialsGrant: GrantDefinition<v.InferOutput<typeof schema>> = {
  grantType: GrantType.CLIENT_CREDENTIALS,
  schema,
  scope: (params) => params.scope,
  fields: () => ({}),
}
