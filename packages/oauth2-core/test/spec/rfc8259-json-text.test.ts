import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonText } from '../../src/internal/json-text.js'

// RFC 8259 §4 / §7: the core writes its JSON responses by hand where it can; the text must be
// exactly JSON.stringify's, member order, escaping and left-out members included.
describe('RFC 8259 JSON text: jsonText is JSON.stringify', () => {
  const oddString = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', '"', '\\', '\u2028', '\ud800', 'a\u0000b', '\u007f', 'é', '</script>'),
  )
  const member = fc.oneof(
    oddString,
    fc.double(),
    fc.integer(),
    fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-7),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
    fc.constant(() => 1),
    fc.constant(Symbol('s')),
    fc.constant({ toJSON: (key: string) => `to-json:${key}` }),
    fc.constant({ toJSON: () => undefined }),
    fc.constant(new Date(0)),
  )
  const key = fc.oneof(fc.string(), fc.constantFrom('access_token', '__proto__', '0', '10', '1', 'a"b', 'é', '\u0001'))

  it('gives the same text for any flat or nested object', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, member), { maxLength: 8 }), (entries) => {
        const value: Record<string, unknown> = {}
        for (const [k, v] of entries) Object.defineProperty(value, k, { value: v, enumerable: true, configurable: true, writable: true })
        expect(jsonText(value)).toBe(JSON.stringify(value))
      }),
      { numRuns: 3000 },
    )
  })

  it('gives the same text for values that are not plain objects', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(jsonText(value)).toBe(JSON.stringify(value))
      }),
      { numRuns: 2000 },
    )
    for (const value of [[1, 'a'], new Date(0), { toJSON: () => ({ a: 1 }) }, Object.create(null)]) expect(jsonText(value)).toBe(JSON.stringify(value))
  })

  it('reads each member once, as JSON.stringify does (a getter runs once)', () => {
    let reads = 0
    const value = { a: 'x', get b() { reads++; return { nested: true } }, c: 1 }
    expect(jsonText(value)).toBe('{"a":"x","b":{"nested":true},"c":1}')
    expect(reads).toBe(1)
  })

  it('throws as JSON.stringify does on a BigInt member', () => {
    expect(() => jsonText({ a: 1n })).toThrow(TypeError)
  })

  it('writes a token response without escaping as plain concatenated text', () => {
    const body = { access_token: 'abc-_0', token_type: 'Bearer', expires_in: 3600, scope: 'read write' }
    expect(jsonText(body)).toBe('{"access_token":"abc-_0","token_type":"Bearer","expires_in":3600,"scope":"read write"}')
  })
})
