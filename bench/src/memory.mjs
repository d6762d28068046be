/**
 * The memory test (run with --expose-gc): N refresh tokens issued through `provider.handle()` into
 * the default MemoryStore, on an injected clock; then the clock passes their lifetime, and the
 * heap must come back to where it was before (expiry works, nothing leaks). Reported:
 * - the heap before, at its peak while they live, with only the refresh tokens live (access tokens
 *   expired), and after every token expired;
 * - the heap per live refresh token (its store entry, id and grant index), and per issued grant
 *   (refresh token + the access-token record issued with it);
 * - the issuing rate over the run (the store's expiry sweep included).
 */
import { writeFileSync } from 'node:fs'
import { createCoreProvider, seedRefreshTokens } from '../servers/lib/core-provider.mjs'
import { TOKEN_TTL } from './config.mjs'
import { parseFlags } from './stats.mjs'

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
const flags = parseFlags()
const N = flags.quick ? 100_000 : 1_000_000
const DAY = 24 * 3600 * 1000

let time = Date.UTC(2026, 0, 1)
const now = () => time
const { provider, store } = createCoreProvider({ format: 'opaque', now })

function heap() {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

export async function runMemoryTest() {
  // Warm-up: compile the issuing path, let what it issued expire and be swept.
  await seedRefreshTokens(provider, 5_000)
  time += 91 * DAY
  await seedRefreshTokens(provider, 2_000)
  time += 91 * DAY
  await seedRefreshTokens(provider, 1_000)
  const sizeBefore = store.size
  const before = heap()

  let peak = before
  const started = performance.now()
  const batch = 10_000
  for (let issued = 0; issued < N; issued += batch) {
    await seedRefreshTokens(provider, Math.min(batch, N - issued))
    // 1 ms of clock per batch: all stay alive, the sweeps still run over the whole store.
    time += 1
    if ((issued / batch) % 10 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed)
  }
  const seconds = (performance.now() - started) / 1000
  const sizeLive = store.size
  const live = heap()
  peak = Math.max(peak, live)

  // Past the access tokens' lifetime, within the refresh tokens' (14-day idle) one.
  time += (TOKEN_TTL + 60) * 1000
  await seedRefreshTokens(provider, 1_000)
  const sizeRefreshOnly = store.size
  const refreshOnly = heap()

  // Past every lifetime: the next writes sweep the store.
  time += 91 * DAY
  await seedRefreshTokens(provider, 1_000)
  const sizeAfter = store.size
  const after = heap()

  return {
    tokens: N,
    issuingRatePerSec: N / seconds,
    heapMiB: { before: mib(before), peak: mib(peak), live: mib(live), refreshOnly: mib(refreshOnly), after: mib(after) },
    storeEntries: { before: sizeBefore, live: sizeLive, refreshOnly: sizeRefreshOnly, after: sizeAfter },
    bytesPerRefreshToken: (refreshOnly - before) / N,
    bytesPerGrant: (live - before) / N,
    peakBytesPerGrant: (peak - before) / N,
    // "Where it was": within 2 MiB, or 1% of what the tokens took at their peak.
    returned: after - before < Math.max(2 * 1024 * 1024, 0.01 * (peak - before)),
  }
}

function mib(bytes) {
  return Math.round((bytes / 1024 / 1024) * 10) / 10
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await runMemoryTest()
  console.log(JSON.stringify(out, null, 2))
  if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify(out, null, 2))
}
