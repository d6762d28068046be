/** RFC 4648 §4 digit values by ASCII code; -1 for any other character. */
const DIGITS = new Int8Array(128).fill(-1)
for (const [value, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) DIGITS[c.charCodeAt(0)] = value

/**
 * Decodes `text[start..]` as padded base64 (RFC 4648 §4: groups of four digits, the last padded
 * with `=`) into `out`, and answers the number of bytes, or -1 when the text is anything else
 * (another character, whitespace, missing or misplaced padding, empty) or the bytes do not fit.
 * Bits after the last whole byte are ignored, as `atob` ignores them. For what clients send in a
 * Basic header: one pass over the characters instead of a pattern, `atob` and a binary string.
 */
export function decodeBase64(text: string, start: number, out: Uint8Array): number {
  let end = text.length
  if (end <= start || (end - start) % 4 !== 0) return -1
  if (text.charCodeAt(end - 1) === 0x3d) end -= text.charCodeAt(end - 2) === 0x3d ? 2 : 1
  if (((end - start) * 3) >> 2 > out.length) return -1
  let j = 0
  let i = start
  // Four digits (three bytes) a turn; a character outside ASCII or the alphabet ends it.
  for (; i + 4 <= end; i += 4) {
    const c0 = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    const c2 = text.charCodeAt(i + 2)
    const c3 = text.charCodeAt(i + 3)
    const d0 = DIGITS[c0 & 127]!
    const d1 = DIGITS[c1 & 127]!
    const d2 = DIGITS[c2 & 127]!
    const d3 = DIGITS[c3 & 127]!
    if ((c0 | c1 | c2 | c3) > 127 || (d0 | d1 | d2 | d3) < 0) return -1
    const group = (d0 << 18) | (d1 << 12) | (d2 << 6) | d3
    out[j++] = group >>> 16
    out[j++] = (group >>> 8) & 255
    out[j++] = group & 255
  }
  // A last group of two digits holds one byte (and 4 spare bits), of three two bytes (and 2); one
  // digit alone cannot occur, as at most two of a multiple of four characters are padding.
  const rest = end - i
  if (rest > 0) {
    let group = 0
    for (let k = i; k < end; k++) {
      const c = text.charCodeAt(k)
      const d = DIGITS[c & 127]!
      if (c > 127 || d < 0) return -1
      group = (group << 6) | d
    }
    if (rest === 2) out[j++] = group >>> 4
    else {
      out[j++] = group >>> 10
      out[j++] = (group >>> 2) & 255
    }
  }
  return j
}
