import * as v from 'valibot'
import { verifyCodeVerifier } from '../internal/pkce.js'
import { codeVerifierParam, redirectUriParam, requiredVschar } from '../schemas/common.js'
import type { GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'

const schema = v.object({
  code: requiredVschar('code'),
  redirect_uri: redirectUriParam,
  code_verifier: codeVerifierParam,
})

/**
 * `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): `code` required, `redirect_uri` and
 * `code_verifier` when the authorization request used them.
 */
export const authorizationCodeGrant: GrantDefinition<v.InferOutput<typeof schema>> = {
  grantType: GrantType.AUTHORIZATION_CODE,
  schema,
  scope: () => undefined,
  fields: (params) => ({
    code: params.code,
    ...(params.code_verifier !== undefined ? { codeVerifier: params.code_verifier } : {}),
    ...(params.redirect_uri !== undefined ? { redirectUri: params.redirect_uri } : {}),
    verifyCodeVerifier,
  }),
}
