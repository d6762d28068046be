import * as v from 'valibot'
import { requireVerifiedClient } from '../client-auth/endpoint-policy.js'
import { declaredScopeNames, scopeParam, scopeTokens } from '../schemas/common.js'
import { issueTokenSet } from '../tokens/issue-tokens.js'
import type { DefaultGrantInput, GrantDefinition } from './grant-definition.js'
import { GrantType } from './grant-types.js'
import type { TokenHandlerResult } from './token-context.js'

const schema = v.object({ scope: scopeParam })

type ClientCredentialsParams = v.InferOutput<typeof schema>

/**
 * `client_credentials` (RFC 6749 §4.4.2): only `scope`, and only confidential clients (§4.4).
 *
 * Its default handler (no `generateToken`) issues an access token, recorded in the store, with
 * `sub` = `client_id` (RFC 9068 §2.2: no resource owner) and the requested scope, or the client's
 * registered `scope` when none is requested (RFC 6749 §3.3 lets the server pick a default). Never a
 * refresh token (RFC 6749 §4.4.3). It needs a verified client, so `build()` requires a client lookup.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4
 */
export const clientCredentialsGrant: GrantDefinition<ClientCredentialsParams> = {
  grantType: GrantType.CLIENT_CREDENTIALS,
  schema,
  scope: (params) => params.scope,
  fields: () => ({}),
  defaultHandler: issueClientToken,
}

async function issueClientToken({ scopes, client, flow, runtime }: DefaultGrantInput<ClientCredentialsParams>): Promise<TokenHandlerResult> {
  requireVerifiedClient(client, { methods: flow.authMethods, realm: runtime.config.issuer })
  // The requested scope, as the token endpoint parsed and checked it: it already refused a scope the
  // flow or the client does not allow; the registered default is filtered the same way.
  const scope = scopes.length > 0 ? scopes : defaultScope(client.client?.scope, declaredScopeNames(flow.scopes))
  const issued = await issueTokenSet({
    // A new grant of this one token: it takes the token's id (issueTokenSet).
    grant: { clientId: client.clientId, sub: undefined, scope },
    flow,
    runtime,
    client: client.client,
    refreshToken: false,
  })
  return issued.body
}

/** The client's registered scope, as the flow's own names of the scopes it declares (all of them when it declares none). */
function defaultScope(registered: string | undefined, declared: ReadonlyMap<string, string>): string[] {
  const tokens = scopeTokens(registered?.trim() || undefined).filter((s) => s !== '')
  if (declared.size === 0) return tokens
  const names: string[] = []
  for (const token of tokens) {
    const name = declared.get(token)
    if (name !== undefined) names.push(name)
  }
  return names
}
