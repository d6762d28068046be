import type * as v from 'valibot'
import type { AuthenticatedClient } from '../client-auth/client-auth-method.js'
import type { FlowConfig } from '../config.js'
import type { ProviderRuntime } from '../endpoints/endpoint.js'
import type { OAuth2Error } from '../errors/oauth2-error.js'
import type { OAuth2Request } from '../types.js'
import type { TokenHandlerResult } from './token-context.js'

/**
 * What the core's own handler of a grant receives (used where the user gives no `generateToken`):
 * the checked request, not the handler context a `generateToken` gets (its helpers are not built
 * for a default handler, which has no use for them).
 */
export interface DefaultGrantInput<TParams> {
  params: TParams
  /** The requested scope's tokens, checked against the flow and the client (RFC 6749 §3.3). */
  scopes: string[]
  /** What the grant's `resolve` returned (`{}` without one). */
  resolved: Record<string, unknown>
  client: AuthenticatedClient
  flow: FlowConfig
  runtime: ProviderRuntime
  request: OAuth2Request
}

/**
 * A grant type: its wire name, the parameters it accepts (a valibot schema; anything else is
 * dropped) and the handler-context fields it adds. One module per grant, as in oidc-provider.
 */
export interface GrantDefinition<TParams = Record<string, string | undefined>> {
  readonly grantType: string
  readonly schema: v.GenericSchema<unknown, TParams>
  /** The requested scope, for grants that take one. */
  scope(params: TParams): string | undefined
  /** Grant-specific context fields (kaapi's names). */
  fields(params: TParams): Record<string, unknown>
  /**
   * Runs before any handler, after client authentication and parameter checks: redeems what the
   * request refers to (the core's authorization codes) and returns extra handler-context fields.
   * Throws an `OAuth2Error` to refuse the request.
   */
  resolve?(input: Omit<DefaultGrantInput<TParams>, 'scopes' | 'resolved'>): Promise<Record<string, unknown> | NotThisFlow>
  /** The core's secure default, through the store, where the user gives no `generateToken`. */
  defaultHandler?(input: DefaultGrantInput<TParams>): Promise<TokenHandlerResult>
}

/**
 * What a grant's `resolve` returns when the request refers to something another flow at this
 * endpoint issued (MultipleFlowsBuilder: a code of the second authorization code flow): this flow
 * steps aside, untouched, and the next flow of the grant type is tried. `otherwise` is the answer
 * when no later flow takes the request (none accepts the client's method, say): the grant's own
 * refusal, not a generic one.
 */
export class NotThisFlow {
  constructor(readonly otherwise: OAuth2Error) {}
}
