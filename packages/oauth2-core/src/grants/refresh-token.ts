import * as v from 'valibot'
import { requiredVschar, scopeParam } from '../schemas/common.js'
import type { GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'

const schema = v.object({ refresh_token: requiredVschar('refresh_token'), scope: scopeParam })

/** `refresh_token` (RFC 6749 §6): `refresh_token` required, `scope` optional. */
export const refreshTokenGrant: GrantDefinition<v.InferOutput<typeof schema>> = {
  grantType: GrantType.REFRESH_TOKEN,
  schema,
  scope: (params) => params.scope,
  fields: (params) => ({ refreshToken: params.refresh_token }),
}
