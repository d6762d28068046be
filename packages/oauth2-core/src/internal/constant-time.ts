/**
 * Compares a presented secret with the expected one in constant time (RFC 6749 §10.3, RFC 9700
 * §2.7, OpenID Connect Core §16.12). Every code unit of the presented value is compared whatever
 * matched before, and the loop runs over the presented value's length only: how long it takes
 * depends on what the caller sent, never on the expected secret's content or length. A length
 * mismatch is folded into the result.
 *
 * This used to hash both sides with SHA-256 first, which hides lengths too but cost two digests per
 * client authentication; the hashing time grew with the expected secret's length as well.
 */
export function timingSafeEqual(presented: string, expected: string): boolean {
  const length = presented.length
  const expectedLength = expected.length
  let diff = length ^ expectedLength
  for (let i = 0; i < length; i++) {
    // Past the expected value's end, its first code unit stands in (NaN for an empty one, read as
    // 0): the lengths already differ, so the result is false either way.
    diff |= presented.charCodeAt(i) ^ expected.charCodeAt(i < expectedLength ? i : 0)
  }
  return diff === 0
}
