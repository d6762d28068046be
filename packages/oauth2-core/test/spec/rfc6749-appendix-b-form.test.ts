import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { OAuth2Error } from '../../src/errors/oauth2-error.js'
import { parseForm } from '../../src/internal/form.js'
import { DEFAULT_REQUEST_LIMITS } from '../../src/schemas/limits.js'

/** What parseForm gives, or the error it throws, as comparable data. */
function outcome(body: string | URLSearchParams) {
  try {
    return { params: { ...parseForm(body) } }
  } catch (error) {
    if (!(error instanceof OAuth2Error)) throw error
    return { error: error.error, description: error.description }
  }
}

// RFC 6749 Appendix B: parameters are application/x-www-form-urlencoded, as the WHATWG URL
// Standard parses it; §3.1/§3.2: an empty value is an omitted parameter, a repeated one an error.
describe('RFC 6749 Appendix B form bodies, as the core parses them', () => {
  it('reads any body exactly as the WHATWG parser (URLSearchParams) does, errors included', () => {
    const piece = fc.constantFrom('a', 'grant_type', 'scope', '=', '&', '+', '%', '%2B', '%41', '%zz', '%e9', '%C3%A9', 'é', '\uD800', '😀', ' ', '\0', '\x7f', '\x80', '__proto__')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((parts) => parts.join('')), (body) => {
        // The reference: the same rules applied to what URLSearchParams reads.
        expect(outcome(body)).toEqual(outcome(new URLSearchParams(body)))
      }),
      { numRuns: 5000 },
    )
  })

  it('reads a plain token request: + is a space, empty sequences are skipped, a name without = has an empty value', () => {
    expect(outcome('grant_type=client_credentials&scope=read+write')).toEqual({ params: { grant_type: 'client_credentials', scope: 'read write' } })
    expect(outcome('&&a=1&&b=x=y&c&d=')).toEqual({ params: { a: '1', b: 'x=y' } })
    expect(outcome('a=1&c&c')).toEqual({ error: 'invalid_request', description: "The parameter 'c' is included more than once." })
    // A name without = ends at its &, even when a later sequence has an =.
    expect(outcome('c&a=1&c')).toEqual({ error: 'invalid_request', description: "The parameter 'c' is included more than once." })
  })

  it('applies the length limits to a plain body as to any other', () => {
    const long = 'x'.repeat(DEFAULT_REQUEST_LIMITS.maxParameterLength + 1)
    expect(outcome(`grant_type=refresh_token&refresh_token=${long}`)).toMatchObject({ error: 'invalid_request' })
    expect(outcome(`grant_type=refresh_token&refresh_token=${long.replace(/x/, '%78')}`)).toMatchObject({ error: 'invalid_request' })
  })
})
