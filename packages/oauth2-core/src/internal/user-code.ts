/**
 * RFC 8628 §6.1 user codes: short, typed by a person, from an alphabet without look-alikes.
 *
 * The alphabet is the RFC's example: 20 consonants (no vowels, so no words; no digits, so no 0/O or
 * 1/I confusion). Eight of them give 20^8 ≈ 2.6 × 10^10 codes (34.6 bits), which together with the
 * verification page's attempt limits (RFC 8628 §5.1) makes guessing a live code impractical.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-6.1
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

/** Characters in a user code. */
export const USER_CODE_LENGTH = 8

/**
 * A fresh user code, normalized (eight letters, no dash). Drawn with rejection sampling so every
 * letter is equally likely: 256 is not a multiple of 20, and `byte % 20` would favour the first 16.
 */
export function generateUserCode(): string {
  const limit = 256 - (256 % USER_CODE_ALPHABET.length)
  let code = ''
  while (code.length < USER_CODE_LENGTH) {
    const bytes = new Uint8Array(USER_CODE_LENGTH * 2)
    crypto.getRandomValues(bytes)
    for (const byte of bytes) {
      if (byte >= limit) continue
      code += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]
      if (code.length === USER_CODE_LENGTH) break
    }
  }
  return code
}

/** How a normalized code is shown to the user: `BDWP-HQPK` (RFC 8628 §6.1 separates groups with a dash). */
export function formatUserCode(normalized: string): string {
  return `${normalized.slice(0, 4)}-${normalized.slice(4)}`
}

/**
 * The canonical form of what a user typed, or `undefined` when it cannot be a code: RFC 8628 §6.1
 * "the authorization server SHOULD be case insensitive when comparing ... and SHOULD ignore
 * ... punctuation", so upper-case it and drop dashes and spaces. Input longer than a few times a
 * code is refused before any work.
 */
export function normalizeUserCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined
  const code = input.toUpperCase().replace(/[\s\-–—_.]/g, '')
  if (code.length !== USER_CODE_LENGTH) return undefined
  for (const char of code) if (!USER_CODE_ALPHABET.includes(char)) return undefined
  return code
}
