import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64 } from '../../src/internal/base64.js'
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

// The usual Basic header's credentials (RFC 7617 §2) are decoded by this, the rest by atob.
describe('RFC 4648 §4 padded base64 decoding (decodeBase64)', () => {
  const decode = (text: string, start = 0): number[] | -1 => {
    const out = new Uint8Array(64)
    const n = decodeBase64(text, start, out)
    return n < 0 ? -1 : [...out.subarray(0, n)]
  }

  it('decodes the RFC 4648 §10 test vectors, padded, from an offset', () => {
    const vectors: Array<[string, string]> = [['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']]
    for (const [output, input] of vectors) expect(decode(`Basic ${input}`, 6)).toEqual([...Buffer.from(output)])
  })

  it('decodes any padded base64 as Node does, and bits after the last byte are ignored as atob ignores them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 48 }), (bytes) => {
        expect(decode(Buffer.from(bytes).toString('base64'))).toEqual([...bytes])
      }),
    )
    expect(decode('QR==')).toEqual([...Buffer.from(atob('QR=='), 'latin1')])
    expect(decode('QUJ=')).toEqual([...Buffer.from(atob('QUJ='), 'latin1')])
  })

  it('answers -1 for anything but padded base64: no padding, misplaced padding, other characters, whitespace, empty, too long', () => {
    for (const text of ['', 'Zg', 'Zm8', 'Zg=', 'Z===', '====', 'Zg==Zg==', 'Z=g=', 'Zm9v YmFy', 'Zm9-', 'Zm9_', 'Zm9é', 'Zm9\u0100']) expect([text, decode(text)]).toEqual([text, -1])
    expect(decodeBase64('A'.repeat(88), 0, new Uint8Array(65))).toBe(-1)
    expect(decodeBase64('A'.repeat(88), 0, new Uint8Array(66))).toBe(66)
  })

  it('never reads past a validity check: any string either decodes as atob does or answers -1', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AZaz09+/= -_é'), maxLength: 16 }), (text) => {
        const got = decode(text)
        if (got === -1) return
        expect(got).toEqual([...Buffer.from(atob(text), 'latin1')])
      }),
      { numRuns: 3000 },
    )
  })
})
