import type * as v from 'valibot'

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
}
