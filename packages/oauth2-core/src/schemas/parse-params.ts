import * as v from 'valibot'
import { OAuth2Error } from '../errors/oauth2-error.js'

/**
 * Validates request parameters with a valibot schema. Unknown parameters are dropped (`v.object`),
 * as RFC 6749 §3.1 requires ("The authorization server MUST ignore unrecognized request parameters");
 * the first problem becomes an `invalid_request` naming the parameter.
 */
export function parseParams<TSchema extends v.GenericSchema<unknown, unknown>>(schema: TSchema, params: Record<string, string>): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, params)
  if (result.success) return result.output
  const issue = result.issues[0]
  const key = issue.path?.[0]?.key
  const message =
    issue.type === 'object' && issue.input === undefined && typeof key === 'string'
      ? `Missing required parameter: ${key}.`
      : issue.message
  throw new OAuth2Error('invalid_request', message)
}
