/**
 * SHA-256 (FIPS 180-4 §6.2), synchronous, on Web types only.
 *
 * Why not `crypto.subtle.digest`: it is asynchronous by contract, and Node runs each call as a job
 * on its thread pool. For the short inputs hashed per token request (a token, a client secret:
 * one or two 64-byte blocks) that round trip cost ~30-60 µs of CPU and latency, five times per
 * rotating refresh request, more than the rest of the request. Hashing the block or two here takes
 * about a microsecond. The function is only ever applied to values the core already holds; its
 * output is checked against WebCrypto in test/spec/fips180-sha256.test.ts.
 */

/** FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

/** The message schedule, reused: the function runs to completion before anything else can use it. */
const W = new Int32Array(64)

const encoder = new TextEncoder()
/** Scratch space for the padded message, reused and zeroed after each digest (it held a secret). */
let scratch = new Uint8Array(256)

/**
 * SHA-256 of `data` (bytes, or a string hashed as its UTF-8 encoding): the 32-byte digest, written
 * into `out` (a new array by default; callers that encode it at once pass a reused one).
 */
export function sha256Digest(data: Uint8Array | string, out: Uint8Array = new Uint8Array(32)): Uint8Array {
  let length: number
  if (typeof data === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; 72 more for the padding.
    if (scratch.length < data.length * 3 + 72) scratch = new Uint8Array(data.length * 3 + 72)
    length = encoder.encodeInto(data, scratch).written
  } else {
    if (scratch.length < data.length + 72) scratch = new Uint8Array(data.length + 72)
    scratch.set(data)
    length = data.length
  }
  const m = scratch
  // §5.1.1 padding: a 1 bit, zeros, then the bit length as a 64-bit big-endian integer.
  const end = ((length + 9 + 63) >>> 6) * 64
  // Plain loops, not fill(): for a block or two, TypedArray.prototype.fill's call into the runtime
  // costs more than the zeroing.
  for (let i = length; i < end; i++) m[i] = 0
  m[length] = 0x80
  const high = Math.floor(length / 0x20000000)
  const low = (length << 3) >>> 0
  m[end - 8] = high >>> 24
  m[end - 7] = high >>> 16
  m[end - 6] = high >>> 8
  m[end - 5] = high
  m[end - 4] = low >>> 24
  m[end - 3] = low >>> 16
  m[end - 2] = low >>> 8
  m[end - 1] = low

  // §5.3.3: the initial hash value.
  let h0 = 0x6a09e667 | 0
  let h1 = 0xbb67ae85 | 0
  let h2 = 0x3c6ef372 | 0
  let h3 = 0xa54ff53a | 0
  let h4 = 0x510e527f | 0
  let h5 = 0x9b05688c | 0
  let h6 = 0x1f83d9ab | 0
  let h7 = 0x5be0cd19 | 0

  for (let offset = 0; offset < end; offset += 64) {
    // §6.2.2 step 1: the message schedule.
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4
      W[i] = (m[j]! << 24) | (m[j + 1]! << 16) | (m[j + 2]! << 8) | m[j + 3]!
    }
    for (let i = 16; i < 64; i++) {
      const w15 = W[i - 15]!
      const w2 = W[i - 2]!
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
    }
    // Steps 2-4: the 64 rounds.
    let a = h0
    let b = h1
    let c = h2
    let d = h3
    let e = h4
    let f = h5
    let g = h6
    let h = h7
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + K[i]! + W[i]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  for (let i = 0; i < end; i++) m[i] = 0

  const digest = out
  writeWord(digest, 0, h0)
  writeWord(digest, 4, h1)
  writeWord(digest, 8, h2)
  writeWord(digest, 12, h3)
  writeWord(digest, 16, h4)
  writeWord(digest, 20, h5)
  writeWord(digest, 24, h6)
  writeWord(digest, 28, h7)
  return digest
}

function writeWord(out: Uint8Array, at: number, word: number): void {
  out[at] = word >>> 24
  out[at + 1] = word >>> 16
  out[at + 2] = word >>> 8
  out[at + 3] = word
}
