/**
 * Where the time of a JWT grant goes, against a bare jose `SignJWT` of the same claims (the JWT
 * tasks of the in-process suite, src/core.mjs): wall time from the call to `crypto.subtle.sign`
 * (the main thread's work before the signature), the signature itself (WebCrypto runs it on the
 * thread pool, the main thread idles unless it has work), and what follows until the answer. Each
 * figure is the median of one run of 4,000 calls after a warm-up of 1,000, one call at a time, as
 * the in-process suite calls them. `crypto.subtle.sign` is wrapped to take the two
 * timestamps; that costs the same in every row.
 *
 *   node src/jwt-timeline.mjs
 */
import { TASKS } from './core.mjs'
import { median } from './stats.mjs'

const n = 4000
const subtle = globalThis.crypto.subtle
const sign = subtle.sign.bind(subtle)
let called = 0
let signed = 0
subtle.sign = (...args) => {
  called = performance.now()
  return sign(...args).then((signature) => {
    signed = performance.now()
    return signature
  })
}

const µs = (ms) => (ms * 1000).toFixed(1)
console.log('| task | before the signature | signature (thread pool) | after it | total µs (median) |\n| --- | --- | --- | --- | --- |')
for (const task of TASKS.filter(({ id }) => ['jose-eddsa', 'cc-jwt', 'refresh-jwt'].includes(id))) {
  const run = await task.create()
  const before = []
  const during = []
  const after = []
  const total = []
  for (let i = 0; i < n + n / 4; i++) {
    const start = performance.now()
    await run()
    const end = performance.now()
    if (i < n / 4) continue
    before.push(called - start)
    during.push(signed - called)
    after.push(end - signed)
    total.push(end - start)
  }
  console.log(`| ${task.label} | ${µs(median(before))} | ${µs(median(during))} | ${µs(median(after))} | ${µs(median(total))} |`)
}
