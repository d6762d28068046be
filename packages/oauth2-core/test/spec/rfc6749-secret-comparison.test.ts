import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { timingSafeEqual } from '../../src/internal/constant-time.js'

// RFC 6749 §10.3 / OpenID Connect Core §16.12: secrets are compared in constant time. What a unit
// test can check is the answer; the loop's shape (every code unit of the presented value, whatever
// matched) is in src/internal/constant-time.ts, and the core lint refuses `===` on secrets.
describe('RFC 6749 §10.3 constant-time secret comparison: timingSafeEqual', () => {
  it('is true exactly when the presented value equals the expected one', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), (presented, expected) => {
        expect(timingSafeEqual(presented, expected)).toBe(presented === expected)
        expect(timingSafeEqual(expected, expected)).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })

  it('refuses a prefix of the secret, the secret with more after it, and any one changed code unit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), (secret, at, more) => {
        const i = at % secret.length
        expect(timingSafeEqual(secret.slice(0, i), secret)).toBe(false)
        expect(timingSafeEqual(secret + more, secret)).toBe(false)
        const changed = secret.slice(0, i) + String.fromCharCode(secret.charCodeAt(i) ^ 1) + secret.slice(i + 1)
        expect(timingSafeEqual(changed, secret)).toBe(false)
      }),
      { numRuns: 2000 },
    )
  })

  it('matches an empty expected value only with an empty presented one', () => {
    expect(timingSafeEqual('', '')).toBe(true)
    expect(timingSafeEqual('a', '')).toBe(false)
    expect(timingSafeEqual('\0', '')).toBe(false)
    expect(timingSafeEqual('', 'a')).toBe(false)
  })
})

