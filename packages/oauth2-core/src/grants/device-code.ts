import * as v from 'valibot'
import { requiredVschar } from '../schemas/common.js'
import type { GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'

const schema = v.object({ device_code: requiredVschar('device_code') })

/** `urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4): `device_code` required. */
export const deviceCodeGrant: GrantDefinition<v.InferOutput<typeof schema>> = {
  grantType: GrantType.DEVICE_CODE,
  schema,
  scope: () => undefined,
  fields: (params) => ({ deviceCode: params.device_code }),
}
