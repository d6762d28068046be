import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256Digest } from '../../src/internal/sha256.js'

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
const webCrypto = async (data: Uint8Array) => new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(data)))

// Store ids (RFC 9700 §4.14.2: refresh tokens stored only as hashes), client secret comparison
// (RFC 6749 §10.3) and PKCE S256 (RFC 7636 §4.2) all rest on this synchronous SHA-256.
describe('FIPS 180-4 SHA-256 of the core (token ids, secret comparison, PKCE S256)', () => {
  it('matches the FIPS 180-2 Appendix B examples', () => {
    expect(hex(sha256Digest('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hex(sha256Digest('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    )
    expect(hex(sha256Digest(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  })

  it('writes the digest into the array it is given, whatever that held before', () => {
    const out = new Uint8Array(32).fill(0xff)
    expect(sha256Digest('abc', out)).toBe(out)
    expect(hex(out)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('matches WebCrypto on every length around the padding boundaries (55, 56, 63, 64, 119, 120 bytes)', async () => {
    for (let length = 0; length <= 200; length++) {
      const data = new Uint8Array(length).map((_, i) => (i * 31 + length) & 0xff)
      expect(hex(sha256Digest(data)), `length ${length}`).toBe(hex(await webCrypto(data)))
    }
  })

  it('hashes a string as its UTF-8 bytes, as WebCrypto does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 150 }), async (value) => {
        expect(hex(sha256Digest(value))).toBe(hex(await webCrypto(new TextEncoder().encode(value))))
      }),
      { numRuns: 300 },
    )
  })

  it('matches WebCrypto on random bytes of up to a few blocks', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (data) => {
        expect(hex(sha256Digest(data))).toBe(hex(await webCrypto(data)))
      }),
      { numRuns: 300 },
    )
  })
})
