import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base64url } from '../../src/internal/base64url.js'

// Every token, store id, PKCE S256 challenge (RFC 7636 §4.2) and at_hash rests on this encoder.
describe('RFC 4648 §5 base64url without padding', () => {
  it('encodes the RFC 4648 §10 test vectors (padding dropped, RFC 7515 Appendix C)', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']]
    for (const [input, output] of vectors) expect(base64url(input)).toBe(output)
  })

  it('uses - and _ for the last two digits of the alphabet (§5)', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_')
  })

  it('agrees with Node for any bytes, lengths on both sides of the reused buffer included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'))
      }),
    )
  })

  it('encodes a string as its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (value) => {
        expect(base64url(value)).toBe(Buffer.from(value, 'utf8').toString('base64url'))
      }),
    )
  })

  it('encodes a range of the bytes when given start and end', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1)
        const end = start + (bytes.length - start === 0 ? 0 : b % (bytes.length - start + 1))
        expect(base64url(bytes, start, end)).toBe(Buffer.from(bytes.subarray(start, end)).toString('base64url'))
      }),
    )
  })

  it('returns strings that do not change when the buffer is reused', () => {
    const first = base64url(new Uint8Array(32).fill(1))
    base64url(new Uint8Array(32).fill(2))
    expect(first).toBe(Buffer.from(new Uint8Array(32).fill(1)).toString('base64url'))
  })
})
